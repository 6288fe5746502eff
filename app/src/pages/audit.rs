//! 审计日志: who changed what, when, from where; and whether the chain of
//! entries is intact.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::audit::{AuditPage, AuditQuery, AuditRecord, ChainProblem, VerifyAudit, audit_entries};
use crate::components::common::ErrorPanel;
use crate::domain::calendar::china_time;
use crate::i18n::use_i18n;

/// The audit page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let username = RwSignal::new(String::new());
    let entity = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let query = RwSignal::new(AuditQuery::default());
    let entries = Resource::new(move || query.get(), audit_entries);
    let verify = ServerAction::<VerifyAudit>::new();

    let apply = move |before_seq: Option<i64>| {
        query.set(AuditQuery {
            username: username.get_untracked(),
            entity: entity.get_untracked(),
            from: from.get_untracked().parse().ok(),
            to: to.get_untracked().parse().ok(),
            before_seq,
        });
    };

    view! {
        <Title text=move || i18n.t().nav_audit />
        <header class="page-header">
            <div>
                <h1>{move || i18n.t().nav_audit}</h1>
                <p class="muted">{move || i18n.t().audit_help}</p>
            </div>
            <div class="page-actions">
                <button type="button" class="button" id="verify-chain" on:click=move |_| { verify.dispatch(VerifyAudit {}); }>
                    {move || i18n.t().audit_verify}
                </button>
            </div>
        </header>
        {move || verify.value().get().map(|r| match r {
            Ok(v) => match v.broken {
                None => {
                    let head = format!("{}:{}", v.head_seq.unwrap_or(0), v.head_hash.unwrap_or_default());
                    view! {
                        <p class="notice notice-ok" id="verify-result">{move || (i18n.t().audit_intact)(v.checked, &head)}</p>
                    }
                    .into_any()
                }
                Some(b) => {
                    let problem = match b.problem {
                        ChainProblem::ContentChanged => i18n.t().audit_content_changed,
                        ChainProblem::LinkBroken => i18n.t().audit_link_broken,
                        ChainProblem::SequenceGap => i18n.t().audit_sequence_gap,
                    };
                    view! {
                        <p class="form-error" role="alert" id="verify-result">{move || (i18n.t().audit_broken)(b.seq, problem)}</p>
                    }
                    .into_any()
                }
            },
            Err(e) => view! { <p class="form-error" role="alert">{e.message(i18n.t())}</p> }.into_any(),
        })}
        <form class="panel filter-form" on:submit=move |ev| { ev.prevent_default(); apply(None); }>
            <label><span>{move || i18n.t().username}</span>
                <input name="username" prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev)) /></label>
            <label><span>{move || i18n.t().audit_entity}</span>
                <input name="entity" prop:value=move || entity.get() on:input=move |ev| entity.set(event_target_value(&ev)) /></label>
            <label><span>{move || i18n.t().date_from}</span>
                <input name="from" type="date" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) /></label>
            <label><span>{move || i18n.t().date_to}</span>
                <input name="to" type="date" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) /></label>
            <button type="submit" class="button button-primary">{move || i18n.t().search}</button>
        </form>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(page) => view! { <Entries page on_older=move |seq| apply(Some(seq)) /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Entries(page: AuditPage, on_older: impl Fn(i64) + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let AuditPage { entries, next_before_seq } = page;
    if entries.is_empty() {
        return view! { <section class="panel"><p class="muted">{move || i18n.t().audit_none}</p></section> }
            .into_any();
    }
    view! {
        <section class="panel">
            <div class="table-wrap">
                <table class="data-table audit-table" id="audit-table">
                    <thead>
                        <tr>
                            <th scope="col" class="num">{move || i18n.t().audit_seq}</th>
                            <th scope="col">{move || i18n.t().audit_time}</th>
                            <th scope="col">{move || i18n.t().username}</th>
                            <th scope="col">{move || i18n.t().audit_address}</th>
                            <th scope="col">{move || i18n.t().audit_action}</th>
                            <th scope="col">{move || i18n.t().audit_entity}</th>
                            <th scope="col">{move || i18n.t().audit_change}</th>
                        </tr>
                    </thead>
                    <tbody>{entries.into_iter().map(|e| view! { <Entry entry=e /> }).collect_view()}</tbody>
                </table>
            </div>
            {next_before_seq.map(|seq| view! {
                <button type="button" class="button" on:click=move |_| on_older(seq)>{move || i18n.t().audit_older}</button>
            })}
        </section>
    }
    .into_any()
}

#[component]
fn Entry(entry: AuditRecord) -> impl IntoView {
    let at = china_time(entry.at).format("%Y-%m-%d %H:%M:%S").to_string();
    let target = match &entry.entity_id {
        Some(id) => format!("{} {}", entry.entity, id),
        None => entry.entity.clone(),
    };
    view! {
        <tr data-seq=entry.seq.to_string()>
            <td class="num code">{entry.seq}</td>
            <td>{at}</td>
            <td>{entry.username.clone().unwrap_or_default()}</td>
            <td class="code">{entry.ip.clone().unwrap_or_default()}</td>
            <td><span class="tag">{entry.action.clone()}</span></td>
            <td class="code">{target}</td>
            <td class="change">
                {entry.before.map(|b| view! { <pre class="json json-before">{b}</pre> })}
                {entry.after.map(|a| view! { <pre class="json json-after">{a}</pre> })}
                <small class="muted code">{entry.request_id}</small>
            </td>
        </tr>
    }
}
