//! Line icons for the navigation, drawn inline so the page needs no icon
//! font or extra request.

use leptos::prelude::*;

/// The icons the interface uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconKind {
    Home,
    People,
    Wallet,
    Budget,
    Contract,
    Results,
    Inspect,
    Download,
    Print,
    Menu,
    Globe,
    Check,
    Users,
    Log,
    Account,
    Logout,
    Key,
}

impl IconKind {
    fn path(self) -> &'static str {
        match self {
            IconKind::Home => "M3 11.5 12 4l9 7.5M5.5 10v10h13V10M10 20v-6h4v6",
            IconKind::People => {
                "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8ZM2 21v-1a7 7 0 0 1 14 0v1M17 11a3 3 0 1 0 0-6M22 21v-1a6 6 0 0 0-4-5.6"
            }
            IconKind::Wallet => "M3 7h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H3V5a2 2 0 0 1 2-2h12v4M16 13.5h2",
            IconKind::Budget => "M12 3v9h9A9 9 0 1 1 12 3ZM15 3.5A9 9 0 0 1 20.5 9H15Z",
            IconKind::Contract => "M6 2h9l5 5v15H6ZM14 2v6h6M9 13h8M9 17h5",
            IconKind::Results => "M4 20V10M10 20V4M16 20v-7M22 20H2",
            IconKind::Inspect => "M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14ZM21 21l-5-5M8 11l2 2 4-4",
            IconKind::Download => "M12 3v12M7 10l5 5 5-5M4 21h16",
            IconKind::Print => "M6 9V3h12v6M6 18H4v-8h16v8h-2M7 14h10v7H7Z",
            IconKind::Menu => "M3 6h18M3 12h18M3 18h18",
            IconKind::Check => "M9 11l3 3 8-8M20 12v7a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h11",
            IconKind::Users => {
                "M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8ZM19 8v6M22 11h-6"
            }
            IconKind::Log => "M4 4h16v16H4ZM8 8h8M8 12h8M8 16h5",
            IconKind::Account => "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8ZM4 21a8 8 0 0 1 16 0",
            IconKind::Logout => "M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9",
            IconKind::Key => "M15 7a4 4 0 1 1-3.9 4.9L3 20v-3h3v-3h3l1.1-1.1A4 4 0 0 1 15 7ZM16 10h.01",
            IconKind::Globe => {
                "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18ZM3 12h18M12 3c2.5 2.7 3.8 5.7 3.8 9s-1.3 6.3-3.8 9c-2.5-2.7-3.8-5.7-3.8-9S9.5 5.7 12 3Z"
            }
        }
    }
}

/// An icon; decorative, so hidden from screen readers.
#[component]
pub fn Icon(kind: IconKind) -> impl IntoView {
    view! {
        <svg
            class="icon"
            viewBox="0 0 24 24"
            width="20"
            height="20"
            fill="none"
            stroke="currentColor"
            stroke-width="1.8"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
        >
            <path d=kind.path() />
        </svg>
    }
}
