//! 审批: items awaiting a decision and recent decisions (maker-checker).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::approvals::{ApprovalSummary, DecideApproval, Inbox, WithdrawApproval, list_approvals};
use crate::components::common::ErrorPanel;
use crate::domain::approval::{ApprovalKind, ApprovalStatus, Decision};
use crate::i18n::{Messages, use_i18n};
use crate::pages::show_time;

fn kind_label(kind: ApprovalKind, t: &Messages) -> &'static str {
    match kind {
        ApprovalKind::RoleGrant => t.approval_kind_role_grant,
        ApprovalKind::AllocationPlan => t.approval_kind_allocation_plan,
        ApprovalKind::StaffChange => t.approval_kind_staff_change,
        ApprovalKind::HiringException => t.approval_kind_hiring_exception,
        ApprovalKind::PayStandards => t.approval_kind_pay_standards,
        ApprovalKind::InsuranceRules => t.approval_kind_insurance_rules,
        ApprovalKind::PayrollRun => t.approval_kind_payroll_run,
        ApprovalKind::BudgetEligibility => t.approval_kind_budget_eligibility,
        ApprovalKind::BudgetRequest => t.approval_kind_budget_request,
        ApprovalKind::Contract => t.approval_kind_contract,
        ApprovalKind::ContractAmendment => t.approval_kind_contract_amendment,
        ApprovalKind::MilestoneAcceptance => t.approval_kind_milestone_acceptance,
        ApprovalKind::ContractPayment => t.approval_kind_contract_payment,
    }
}

pub(crate) fn status_label(status: ApprovalStatus, t: &Messages) -> &'static str {
    match status {
        ApprovalStatus::Pending => t.approval_pending,
        ApprovalStatus::Approved => t.approval_approved,
        ApprovalStatus::Rejected => t.approval_rejected,
        ApprovalStatus::Withdrawn => t.approval_withdrawn,
    }
}

/// The approvals page.
#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let i18n = use_i18n();
    let decide = ServerAction::<DecideApproval>::new();
    let withdraw = ServerAction::<WithdrawApproval>::new();
    let inbox =
        Resource::new(move || (decide.version().get(), withdraw.version().get()), |_| list_approvals());
    provide_context((decide, withdraw));
    let error = move || {
        let d = decide.value().get().and_then(Result::err);
        let w = withdraw.value().get().and_then(Result::err);
        if decide.version().get() >= withdraw.version().get() { d } else { w }
    };

    view! {
        <Title text=move || i18n.t().nav_approvals />
        <header class="page-header">
            <div>
                <h1>{move || i18n.t().nav_approvals}</h1>
                <p class="muted">{move || i18n.t().approvals_help}</p>
            </div>
        </header>
        {move || error().map(|e| view! { <p class="form-error" role="alert" id="approval-error">{e.describe(i18n.t())}</p> })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match inbox.await {
                    Ok(inbox) => view! { <InboxView inbox /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn InboxView(inbox: Inbox) -> impl IntoView {
    let i18n = use_i18n();
    let Inbox { items, viewer_id, can_decide } = inbox;
    if items.is_empty() {
        return view! { <section class="panel"><p class="muted">{move || i18n.t().approvals_none}</p></section> }.into_any();
    }
    view! {
        <section class="approval-list" id="approval-list">
            {items.into_iter().map(|item| view! { <Item item viewer_id can_decide /> }).collect_view()}
        </section>
    }
    .into_any()
}

#[component]
fn Item(item: ApprovalSummary, viewer_id: i64, can_decide: bool) -> impl IntoView {
    let i18n = use_i18n();
    // Missing only in a render abandoned by its client (see `use_i18n`).
    let Some((decide, withdraw)) =
        use_context::<(ServerAction<DecideApproval>, ServerAction<WithdrawApproval>)>()
    else {
        return ().into_any();
    };
    let reason = RwSignal::new(String::new());
    let override_funds = RwSignal::new(String::new());
    let ApprovalSummary {
        id,
        kind,
        summary,
        maker_id,
        maker,
        created_at,
        status,
        decider,
        decided_at,
        reason: decided_reason,
        version,
    } = item;
    let pending = status == ApprovalStatus::Pending;
    let own = maker_id == viewer_id;
    let send = move |decision: Decision| {
        let over = override_funds.get_untracked();
        decide.dispatch(DecideApproval {
            id,
            version,
            decision,
            reason: reason.get_untracked(),
            override_funds: (!over.trim().is_empty()).then_some(over),
        });
    };
    view! {
        <article class="panel approval" class:approval-pending=pending data-approval=id.to_string()>
            <div class="approval-head">
                <span class="tag">{move || kind_label(kind, i18n.t())}</span>
                <strong class="approval-summary">{summary}</strong>
                <span class="tag" class:tag-pending=pending>{move || status_label(status, i18n.t())}</span>
            </div>
            <p class="muted">{move || (i18n.t().approval_submitted_by)(&maker, &show_time(created_at))}</p>
            {decider.map(|d| {
                let when = decided_at.map(show_time).unwrap_or_default();
                view! { <p class="muted">{move || (i18n.t().approval_decided_by)(&d, &when)}</p> }
            })}
            {decided_reason.map(|r| view! { <blockquote class="reason">{r}</blockquote> })}
            {(pending && can_decide && !own).then(|| view! {
                <form class="decision-form" on:submit=|ev| ev.prevent_default()>
                    <label>
                        <span>{move || i18n.t().approval_reason}</span>
                        <textarea name="reason" rows="2" maxlength="500" required
                            prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    </label>
                    {matches!(kind, ApprovalKind::PayrollRun | ApprovalKind::BudgetRequest | ApprovalKind::Contract | ApprovalKind::ContractAmendment).then(|| view! {
                        <label>
                            <span>{move || i18n.t().approval_override}</span>
                            <textarea name="override_funds" rows="2" maxlength="500"
                                prop:value=move || override_funds.get() on:input=move |ev| override_funds.set(event_target_value(&ev))></textarea>
                            <small class="muted">{move || i18n.t().approval_override_help}</small>
                        </label>
                    })}
                    <div class="page-actions">
                        <button type="button" class="button button-primary action-approve" on:click=move |_| send(Decision::Approve)>
                            {move || i18n.t().approve}
                        </button>
                        <button type="button" class="button action-reject" on:click=move |_| send(Decision::Reject)>
                            {move || i18n.t().reject}
                        </button>
                    </div>
                </form>
            })}
            {(pending && own).then(|| view! {
                <div class="page-actions">
                    <span class="muted">{move || i18n.t().approval_waiting_other}</span>
                    <button type="button" class="button button-small action-withdraw"
                        on:click=move |_| { withdraw.dispatch(WithdrawApproval { id, version }); }>
                        {move || i18n.t().withdraw}
                    </button>
                </div>
            })}
        </article>
    }
    .into_any()
}
