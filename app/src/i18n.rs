//! Every string a user reads goes through here: Simplified Chinese by
//! default, English on request.
//!
//! Each language is one value of [`Messages`], so the compiler refuses a
//! language that lacks a string. Components read the current catalogue with
//! `use_i18n().t()`, which is reactive: switching language re-renders the
//! text in place without reloading the page. The choice is kept in the
//! [`LOCALE_COOKIE`] cookie so the server renders the next page in it too.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Name of the cookie that remembers the chosen language.
pub const LOCALE_COOKIE: &str = "gouzhu_lang";

/// A language the interface is available in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    /// 简体中文, the default.
    #[default]
    ZhCn,
    /// English.
    En,
}

impl Locale {
    /// All languages, in the order the switch offers them.
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    /// The BCP 47 tag, used for `<html lang>` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// Parses a tag as written by [`Locale::code`]; anything else is `None`.
    pub fn from_code(code: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.code().eq_ignore_ascii_case(code.trim()))
    }

    /// The string catalogue of this language.
    pub fn messages(self) -> &'static Messages {
        match self {
            Locale::ZhCn => &ZH_CN,
            Locale::En => &EN,
        }
    }

    /// The other language (the switch toggles between the two).
    pub fn other(self) -> Locale {
        match self {
            Locale::ZhCn => Locale::En,
            Locale::En => Locale::ZhCn,
        }
    }

    /// Chooses between a Chinese and an English rendering of one datum,
    /// for data that carries both (such as town names).
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Locale::ZhCn => zh,
            Locale::En if en.is_empty() => zh,
            Locale::En => en,
        }
    }
}

/// Reads the language from a `Cookie` header value.
pub fn locale_from_cookie_header(header: &str) -> Option<Locale> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name.trim() == LOCALE_COOKIE).then(|| Locale::from_code(value)).flatten()
    })
}

/// The catalogue of user-facing strings of one language.
pub struct Messages {
    pub app_name: &'static str,
    pub app_tagline: &'static str,
    pub nav_label: &'static str,
    pub nav_menu: &'static str,
    pub nav_home: &'static str,
    pub nav_posts: &'static str,
    pub nav_payroll: &'static str,
    pub nav_budget: &'static str,
    pub nav_contracts: &'static str,
    pub nav_services: &'static str,
    pub nav_inspections: &'static str,
    pub nav_planned: &'static str,
    pub nav_planned_hint: &'static str,
    /// Label of the switch: the name of the language it switches *to*.
    pub lang_switch: &'static str,
    pub lang_switch_title: &'static str,
    pub loading: &'static str,

    pub dashboard_title: &'static str,
    pub dashboard_as_of: fn(&str) -> String,
    pub kpi_towns: &'static str,
    pub kpi_towns_detail: fn(u32, u32) -> String,
    pub kpi_communities: &'static str,
    pub kpi_villages: &'static str,
    pub kpi_population: &'static str,
    pub kpi_posts: &'static str,
    pub kpi_per_post: fn(&str) -> String,
    pub table_title: &'static str,
    pub col_code: &'static str,
    pub col_name: &'static str,
    pub col_kind: &'static str,
    pub col_communities: &'static str,
    pub col_villages: &'static str,
    pub col_population: &'static str,
    pub col_posts: &'static str,
    pub col_per_post: &'static str,
    pub kind_street: &'static str,
    pub kind_town: &'static str,
    pub total_row: &'static str,
    pub filter_label: &'static str,
    pub filter_placeholder: &'static str,
    pub filter_count: fn(usize, usize) -> String,
    pub filter_none: &'static str,
    pub download_pdf: &'static str,
    /// File name of the downloaded summary, without date and extension.
    pub download_pdf_file_stem: &'static str,
    pub print_page: &'static str,

    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub back_home: &'static str,

    pub error_title: &'static str,
    pub error_no_district: &'static str,
    pub error_internal: &'static str,
    pub error_transport: &'static str,

    pub pdf_title: fn(&str) -> String,
    pub pdf_subtitle: &'static str,
    pub pdf_as_of: &'static str,
    pub pdf_issuer: fn(&str) -> String,
    pub pdf_note: &'static str,
    /// `{page}` and `{pages}` are replaced by the page numbers.
    pub pdf_page: &'static str,
}

/// 简体中文.
pub static ZH_CN: Messages = Messages {
    app_name: "购助",
    app_tagline: "政府购买社会救助服务",
    nav_label: "主导航",
    nav_menu: "菜单",
    nav_home: "首页",
    nav_posts: "岗位与人员",
    nav_payroll: "薪酬",
    nav_budget: "预算",
    nav_contracts: "合同",
    nav_services: "服务成果",
    nav_inspections: "抽查",
    nav_planned: "建设中",
    nav_planned_hint: "该模块尚未上线",
    lang_switch: "English",
    lang_switch_title: "Switch to English",
    loading: "正在加载…",

    dashboard_title: "专职低保员岗位概况",
    dashboard_as_of: |date| format!("数据截至 {date}"),
    kpi_towns: "镇街",
    kpi_towns_detail: |streets, towns| format!("街道 {streets} 个 · 镇 {towns} 个"),
    kpi_communities: "社区",
    kpi_villages: "村委会",
    kpi_population: "户籍人口",
    kpi_posts: "专职低保员岗位",
    kpi_per_post: |n| format!("平均每岗服务 {n} 人"),
    table_title: "各镇街岗位配置",
    col_code: "编号",
    col_name: "镇街",
    col_kind: "类型",
    col_communities: "社区",
    col_villages: "村委会",
    col_population: "户籍人口",
    col_posts: "岗位数",
    col_per_post: "每岗人口",
    kind_street: "街道",
    kind_town: "镇",
    total_row: "合计",
    filter_label: "筛选镇街",
    filter_placeholder: "输入镇街名称",
    filter_count: |shown, total| format!("显示 {shown} / {total} 个镇街"),
    filter_none: "没有符合条件的镇街",
    download_pdf: "下载岗位配置汇总表（PDF）",
    download_pdf_file_stem: "岗位配置汇总表",
    print_page: "打印本页",

    not_found_title: "页面不存在",
    not_found_body: "您访问的页面不存在或已移动。",
    back_home: "返回首页",

    error_title: "无法加载数据",
    error_no_district: "系统中还没有辖区数据。请先运行 gouzhu demo 载入示范区，或导入本区数据。",
    error_internal: "服务器内部错误，请稍后重试；如持续出现，请联系系统管理员。",
    error_transport: "无法连接服务器，请检查网络后重试。",

    pdf_title: |district| format!("{district}专职低保员岗位配置汇总表"),
    pdf_subtitle: "政府购买社会救助服务",
    pdf_as_of: "统计日期：",
    pdf_issuer: |district| format!("{district}民政局"),
    pdf_note: "说明：岗位数为区民政局核定的专职低保员岗位；户籍人口、社区和村委会数按统计日期有效的镇街资料汇总。",
    pdf_page: "第 {page} 页 / 共 {pages} 页",
};

/// English.
pub static EN: Messages = Messages {
    app_name: "Gouzhu",
    app_tagline: "Purchased social-assistance services",
    nav_label: "Main navigation",
    nav_menu: "Menu",
    nav_home: "Home",
    nav_posts: "Posts & staff",
    nav_payroll: "Payroll",
    nav_budget: "Budget",
    nav_contracts: "Contracts",
    nav_services: "Service results",
    nav_inspections: "Inspections",
    nav_planned: "Planned",
    nav_planned_hint: "This module is not available yet",
    lang_switch: "中文",
    lang_switch_title: "切换到中文",
    loading: "Loading…",

    dashboard_title: "Assistant posts at a glance",
    dashboard_as_of: |date| format!("Figures as of {date}"),
    kpi_towns: "Towns & subdistricts",
    kpi_towns_detail: |streets, towns| format!("{streets} subdistricts · {towns} towns"),
    kpi_communities: "Communities",
    kpi_villages: "Villages",
    kpi_population: "Registered population",
    kpi_posts: "Full-time assistant posts",
    kpi_per_post: |n| format!("{n} residents per post on average"),
    table_title: "Posts by town",
    col_code: "Code",
    col_name: "Town / subdistrict",
    col_kind: "Type",
    col_communities: "Communities",
    col_villages: "Villages",
    col_population: "Population",
    col_posts: "Posts",
    col_per_post: "Residents per post",
    kind_street: "Subdistrict",
    kind_town: "Town",
    total_row: "Total",
    filter_label: "Filter towns",
    filter_placeholder: "Type a town name",
    filter_count: |shown, total| format!("Showing {shown} of {total} towns"),
    filter_none: "No town matches",
    download_pdf: "Download staffing summary (PDF)",
    download_pdf_file_stem: "staffing-summary",
    print_page: "Print this page",

    not_found_title: "Page not found",
    not_found_body: "The page you asked for does not exist or has moved.",
    back_home: "Back to home",

    error_title: "Could not load the data",
    error_no_district: "No district has been set up yet. Run gouzhu demo to load the demo district, or import your own.",
    error_internal: "Internal server error. Please try again; if it persists, contact your administrator.",
    error_transport: "Could not reach the server. Check the connection and try again.",

    pdf_title: |district| format!("{district}: full-time assistant posts by town"),
    pdf_subtitle: "Government-purchased social-assistance services",
    pdf_as_of: "As of: ",
    pdf_issuer: |district| format!("Civil Affairs Bureau, {district}"),
    pdf_note: "Posts are the full-time assistant posts approved by the district civil-affairs bureau; population, communities and villages are the town figures in force on the date shown.",
    pdf_page: "Page {page} of {pages}",
};

/// The language state of one page, shared through context.
#[derive(Clone, Copy)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    /// The current language (reactive).
    pub fn locale(&self) -> Locale {
        self.locale.get()
    }

    /// The current catalogue (reactive).
    pub fn t(&self) -> &'static Messages {
        self.locale.get().messages()
    }

    /// Switches language in place and remembers the choice for later pages.
    pub fn set(&self, locale: Locale) {
        self.locale.set(locale);
        remember_locale(locale);
    }
}

/// Creates the language state for a page and provides it to its components.
pub fn provide_i18n() -> I18n {
    let i18n = I18n { locale: RwSignal::new(initial_locale()) };
    provide_context(i18n);
    i18n
}

/// The language state provided by [`provide_i18n`].
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// On the server: the language named by the request's cookie.
#[cfg(feature = "ssr")]
fn initial_locale() -> Locale {
    use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get_all(http::header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(locale_from_cookie_header)
        })
        .unwrap_or_default()
}

/// In the browser: the language named by the page's cookie, which is what
/// the server rendered with, so hydration sees the same text.
#[cfg(not(feature = "ssr"))]
fn initial_locale() -> Locale {
    browser_cookie().as_deref().and_then(locale_from_cookie_header).unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
fn browser_cookie() -> Option<String> {
    use wasm_bindgen::JsCast;
    let doc = web_sys::window()?.document()?;
    doc.dyn_into::<web_sys::HtmlDocument>().ok()?.cookie().ok()
}

#[cfg(not(feature = "ssr"))]
fn remember_locale(locale: Locale) {
    use wasm_bindgen::JsCast;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(doc) = doc.dyn_into::<web_sys::HtmlDocument>() {
        let cookie = format!("{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", locale.code());
        // Failing to persist only means the next page opens in the default.
        let _ = doc.set_cookie(&cookie);
    }
}

#[cfg(feature = "ssr")]
fn remember_locale(_locale: Locale) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_simplified_chinese() {
        assert_eq!(Locale::default(), Locale::ZhCn);
        assert_eq!(Locale::default().code(), "zh-CN");
    }

    #[test]
    fn cookie_header_selects_language() {
        assert_eq!(locale_from_cookie_header("gouzhu_lang=en"), Some(Locale::En));
        assert_eq!(locale_from_cookie_header("a=1; gouzhu_lang=zh-CN; b=2"), Some(Locale::ZhCn));
        assert_eq!(locale_from_cookie_header("gouzhu_lang=fr"), None);
        assert_eq!(locale_from_cookie_header("other_lang=en"), None);
        assert_eq!(locale_from_cookie_header(""), None);
    }

    #[test]
    fn codes_round_trip() {
        for l in Locale::ALL {
            assert_eq!(Locale::from_code(l.code()), Some(l));
            assert_eq!(l.other().other(), l);
        }
    }

    #[test]
    fn english_falls_back_to_chinese_names() {
        assert_eq!(Locale::En.pick("滨江街道", "Binjiang Subdistrict"), "Binjiang Subdistrict");
        assert_eq!(Locale::En.pick("滨江街道", ""), "滨江街道");
        assert_eq!(Locale::ZhCn.pick("滨江街道", "Binjiang Subdistrict"), "滨江街道");
    }

    #[test]
    fn formatted_messages_fill_their_arguments() {
        assert_eq!((ZH_CN.filter_count)(3, 26), "显示 3 / 26 个镇街");
        assert_eq!((EN.filter_count)(3, 26), "Showing 3 of 26 towns");
        assert_eq!((ZH_CN.pdf_title)("云溪区"), "云溪区专职低保员岗位配置汇总表");
    }
}
