//! 个税与补扣发: each person's 专项附加扣除 declarations and the one-off
//! back payments and deductions paid by later runs. Finance records them;
//! the other payroll readers (a town user: their own town) read.

use leptos::prelude::*;
use leptos_meta::Title;
use rust_decimal::Decimal;

use crate::api::payroll::AddPayrollAdjustment;
use crate::api::payroll_people::{
    AdjustmentItem, DeclarationItem, DeclareDeduction, PeopleInfo, PersonChoice, WithdrawDeduction,
    payroll_people,
};
use crate::components::common::ErrorPanel;
use crate::domain::payroll::{Adjustment, AdjustmentKind};
use crate::domain::tax::{AdditionalDeduction, AdditionalKind, YearMonth};
use crate::format::yuan;
use crate::i18n::use_i18n;
use crate::pages::payroll::{PayrollError, PayrollTabs};
use crate::policy::paths;

fn month_text(m: YearMonth) -> String {
    format!("{}-{:02}", m.year, m.month)
}

/// Position of a kind in `deduction_kinds`.
fn kind_index(k: &AdditionalKind) -> usize {
    match k {
        AdditionalKind::ChildEducation { .. } => 0,
        AdditionalKind::InfantCare { .. } => 1,
        AdditionalKind::ElderlySupport { .. } => 2,
        AdditionalKind::HousingLoan { .. } => 3,
        AdditionalKind::HousingRent { .. } => 4,
        AdditionalKind::DegreeEducation => 5,
        AdditionalKind::VocationalCertificate => 6,
    }
}

/// The declaration's particulars after its name: children, halves, shares.
fn kind_detail(k: &AdditionalKind) -> String {
    match k {
        AdditionalKind::ChildEducation { children, half } | AdditionalKind::InfantCare { children, half } => {
            format!(" × {children}{}", if *half { " · 50%" } else { "" })
        }
        AdditionalKind::ElderlySupport { only_child: false, share } => format!(" · {}", yuan(*share)),
        AdditionalKind::HousingLoan { half: true } => " · 50%".to_owned(),
        AdditionalKind::HousingRent { amount } => format!(" · {}", yuan(*amount)),
        _ => String::new(),
    }
}

#[component]
pub fn PeoplePage() -> impl IntoView {
    let i18n = use_i18n();
    let declare = ServerAction::<DeclareDeduction>::new();
    let withdraw = ServerAction::<WithdrawDeduction>::new();
    let adjust = ServerAction::<AddPayrollAdjustment>::new();
    let data = Resource::new(
        move || (declare.version().get(), withdraw.version().get(), adjust.version().get()),
        |_| payroll_people(),
    );
    view! {
        <Title text=move || i18n.t().payroll.tab_people />
        <header class="page-header">
            <div>
                <h1>{move || i18n.t().payroll.tab_people}</h1>
                <p class="muted">{move || i18n.t().payroll.people_help}</p>
            </div>
        </header>
        <PayrollTabs current=paths::PAYROLL_PEOPLE />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(info) => view! { <People info declare withdraw adjust /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn People(
    info: PeopleInfo,
    declare: ServerAction<DeclareDeduction>,
    withdraw: ServerAction<WithdrawDeduction>,
    adjust: ServerAction<AddPayrollAdjustment>,
) -> impl IntoView {
    let PeopleInfo { this_month, declarations, adjustments, people, may_edit } = info;
    view! {
        <Declarations declarations may_edit withdraw />
        {may_edit.then(|| view! { <DeclareForm people=people.clone() this_month declare /> })}
        <Adjustments adjustments />
        {may_edit.then(|| view! { <AdjustmentForm people this_month adjust /> })}
    }
}

#[component]
fn Declarations(
    declarations: Vec<DeclarationItem>,
    may_edit: bool,
    withdraw: ServerAction<WithdrawDeduction>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().payroll;
    let empty = declarations.is_empty();
    view! {
        <section class="panel" id="declarations">
            <h2>{move || t().declarations_title}</h2>
            {empty.then(|| view! { <p class="muted">{move || t().declarations_none}</p> })}
            {(!empty).then(|| view! {
                <div class="table-wrap">
                    <table class="data-table" id="declarations-table">
                        <thead>
                            <tr>
                                <th scope="col">{move || t().col_name}</th>
                                <th scope="col">{move || t().col_town}</th>
                                <th scope="col">{move || t().col_kind}</th>
                                <th scope="col">{move || t().col_from}</th>
                                <th scope="col">{move || t().col_until}</th>
                                <th scope="col" class="num">{move || t().col_monthly}</th>
                                <th scope="col"></th>
                            </tr>
                        </thead>
                        <tbody>
                            {declarations.into_iter().map(|d| {
                                let (town, town_en) = (d.town.clone(), d.town_en.clone());
                                let kind = d.declaration.kind;
                                let id = d.id;
                                view! {
                                    <tr data-declaration=d.id class:muted=d.withdrawn>
                                        <th scope="row">{d.name.clone()}</th>
                                        <td>{move || i18n.locale().pick(&town, &town_en).to_owned()}</td>
                                        <td>{move || format!("{}{}", t().deduction_kinds[kind_index(&kind)], kind_detail(&kind))}</td>
                                        <td>{month_text(d.declaration.from)}</td>
                                        <td>{d.declaration.until.map(month_text)}</td>
                                        <td class="num">{yuan(d.monthly)}</td>
                                        <td>{if d.withdrawn {
                                            view! { <span class="muted">{move || t().withdrawn}</span> }.into_any()
                                        } else if may_edit {
                                            view! {
                                                <button type="button" class="button" on:click=move |_| { withdraw.dispatch(WithdrawDeduction { id }); }>
                                                    {move || t().withdraw}
                                                </button>
                                            }.into_any()
                                        } else {
                                            ().into_any()
                                        }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}

/// A `<select>` of the people on the roster.
#[component]
fn PersonSelect(people: Vec<PersonChoice>, value: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label>
            <span>{move || i18n.t().payroll.person}</span>
            <select name="staff_id" required prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                <option value="">{move || i18n.t().payroll.choose_person}</option>
                {people.into_iter().map(|p| {
                    let label = move || format!("{}（{}）", p.name, i18n.locale().pick(&p.town, &p.town_en));
                    view! { <option value=p.staff_id.to_string()>{label}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn DeclareForm(
    people: Vec<PersonChoice>,
    this_month: YearMonth,
    declare: ServerAction<DeclareDeduction>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().payroll;
    let person = RwSignal::new(String::new());
    let kind = RwSignal::new(0usize);
    let children = RwSignal::new("1".to_owned());
    let half = RwSignal::new(false);
    let only_child = RwSignal::new(true);
    let share = RwSignal::new("1500".to_owned());
    let rent = RwSignal::new("1500".to_owned());
    let from = RwSignal::new(month_text(this_month));
    let until = RwSignal::new(String::new());
    let bad = RwSignal::new(false);
    let build = move || -> Option<(i64, AdditionalDeduction)> {
        let staff_id: i64 = person.get_untracked().parse().ok()?;
        let n: u32 = children.get_untracked().trim().parse().ok()?;
        let kind = match kind.get_untracked() {
            0 => AdditionalKind::ChildEducation { children: n, half: half.get_untracked() },
            1 => AdditionalKind::InfantCare { children: n, half: half.get_untracked() },
            2 if only_child.get_untracked() => {
                AdditionalKind::ElderlySupport { only_child: true, share: Decimal::from(3_000) }
            }
            2 => AdditionalKind::ElderlySupport {
                only_child: false,
                share: share.get_untracked().trim().parse().ok()?,
            },
            3 => AdditionalKind::HousingLoan { half: half.get_untracked() },
            4 => AdditionalKind::HousingRent { amount: rent.get_untracked().parse().ok()? },
            5 => AdditionalKind::DegreeEducation,
            _ => AdditionalKind::VocationalCertificate,
        };
        let until = match until.get_untracked().trim() {
            "" => None,
            u => Some(YearMonth::parse(u)?),
        };
        Some((staff_id, AdditionalDeduction { kind, from: YearMonth::parse(&from.get_untracked())?, until }))
    };
    let shows = move |kinds: &'static [usize]| kinds.contains(&kind.get());
    view! {
        <section class="panel" id="declare">
            <h2>{move || t().declare_title}</h2>
            <form class="form-grid" id="declare-form" on:submit=move |ev| {
                ev.prevent_default();
                match build() {
                    Some((staff_id, declaration)) => {
                        bad.set(false);
                        declare.dispatch(DeclareDeduction { staff_id, declaration });
                    }
                    None => bad.set(true),
                }
            }>
                <PersonSelect people value=person />
                <label>
                    <span>{move || t().col_kind}</span>
                    <select name="kind" on:change=move |ev| kind.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {(0..7).map(|i| view! { <option value=i.to_string() selected=i == 0>{move || t().deduction_kinds[i]}</option> }).collect_view()}
                    </select>
                </label>
                <Show when=move || shows(&[0, 1])>
                    <label>
                        <span>{move || t().children}</span>
                        <input type="number" name="children" min="1" max="10" required prop:value=move || children.get()
                            on:input=move |ev| children.set(event_target_value(&ev)) />
                    </label>
                </Show>
                <Show when=move || shows(&[0, 1, 3])>
                    <label class="check">
                        <input type="checkbox" name="half" prop:checked=move || half.get()
                            on:change=move |ev| half.set(event_target_checked(&ev)) />
                        <span>{move || t().half}</span>
                    </label>
                </Show>
                <Show when=move || shows(&[2])>
                    <label class="check">
                        <input type="checkbox" name="only_child" prop:checked=move || only_child.get()
                            on:change=move |ev| only_child.set(event_target_checked(&ev)) />
                        <span>{move || t().only_child}</span>
                    </label>
                    <Show when=move || !only_child.get()>
                        <label>
                            <span>{move || t().share}</span>
                            <input type="text" inputmode="decimal" name="share" prop:value=move || share.get()
                                on:input=move |ev| share.set(event_target_value(&ev)) />
                        </label>
                    </Show>
                </Show>
                <Show when=move || shows(&[4])>
                    <label>
                        <span>{move || t().rent}</span>
                        <select name="rent" on:change=move |ev| rent.set(event_target_value(&ev))>
                            <option value="1500">"1,500"</option>
                            <option value="1100">"1,100"</option>
                            <option value="800">"800"</option>
                        </select>
                    </label>
                </Show>
                <label>
                    <span>{move || t().col_from}</span>
                    <input type="month" name="from" required prop:value=move || from.get()
                        on:input=move |ev| from.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || t().col_until}</span>
                    <input type="month" name="until" prop:value=move || until.get()
                        on:input=move |ev| until.set(event_target_value(&ev)) />
                </label>
                <div class="page-actions wide">
                    <button type="submit" class="button button-primary" id="declare-submit">{move || t().save}</button>
                </div>
            </form>
            <div id="declare-result">
                {move || bad.get().then(|| view! { <p class="form-error" role="alert">{move || t().bad_input}</p> })}
                {move || declare.value().get().map(|r| match r {
                    Ok(_) => view! { <p class="form-ok" role="status">{move || t().recorded}</p> }.into_any(),
                    Err(e) => view! { <PayrollError error=e /> }.into_any(),
                })}
            </div>
        </section>
    }
}

#[component]
fn Adjustments(adjustments: Vec<AdjustmentItem>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().payroll;
    let empty = adjustments.is_empty();
    view! {
        <section class="panel" id="adjustments">
            <h2>{move || t().adjustments_title}</h2>
            {empty.then(|| view! { <p class="muted">{move || t().adjustments_none}</p> })}
            {(!empty).then(|| view! {
                <div class="table-wrap">
                    <table class="data-table" id="adjustments-table">
                        <thead>
                            <tr>
                                <th scope="col">{move || t().col_name}</th>
                                <th scope="col">{move || t().col_town}</th>
                                <th scope="col">{move || t().col_kind}</th>
                                <th scope="col" class="num">{move || t().amount}</th>
                                <th scope="col">{move || t().for_month}</th>
                                <th scope="col">{move || t().col_reason}</th>
                                <th scope="col">{move || t().paid_in}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {adjustments.into_iter().map(|a| {
                                let (town, town_en) = (a.town.clone(), a.town_en.clone());
                                let k = usize::from(a.kind == AdjustmentKind::Deduction);
                                let paid = a.paid_in.clone();
                                view! {
                                    <tr data-adjustment=a.id>
                                        <th scope="row">{a.name.clone()}</th>
                                        <td>{move || i18n.locale().pick(&town, &town_en).to_owned()}</td>
                                        <td>{move || t().adjustment_kinds[k]}</td>
                                        <td class="num">{yuan(a.amount)}</td>
                                        <td>{month_text(a.for_month)}</td>
                                        <td>{a.reason.clone()}</td>
                                        <td>{move || paid.clone().unwrap_or_else(|| t().not_paid.to_owned())}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}

#[component]
fn AdjustmentForm(
    people: Vec<PersonChoice>,
    this_month: YearMonth,
    adjust: ServerAction<AddPayrollAdjustment>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t().payroll;
    let person = RwSignal::new(String::new());
    let kind = RwSignal::new(AdjustmentKind::Addition);
    let amount = RwSignal::new(String::new());
    let month = RwSignal::new(month_text(this_month));
    let reason = RwSignal::new(String::new());
    let bad = RwSignal::new(false);
    let build = move || -> Option<AddPayrollAdjustment> {
        Some(AddPayrollAdjustment {
            staff_id: person.get_untracked().parse().ok()?,
            adjustment: Adjustment {
                kind: kind.get_untracked(),
                amount: amount.get_untracked().trim().replace(',', "").parse().ok()?,
                for_month: YearMonth::parse(&month.get_untracked())?,
                reason: reason.get_untracked(),
            },
        })
    };
    view! {
        <section class="panel" id="adjust">
            <h2>{move || t().adjustment_add_title}</h2>
            <form class="form-grid" id="adjustment-form" on:submit=move |ev| {
                ev.prevent_default();
                match build() {
                    Some(a) => {
                        bad.set(false);
                        adjust.dispatch(a);
                    }
                    None => bad.set(true),
                }
            }>
                <PersonSelect people value=person />
                <label>
                    <span>{move || t().col_kind}</span>
                    <select name="kind" on:change=move |ev| kind.set(if event_target_value(&ev) == "deduction" { AdjustmentKind::Deduction } else { AdjustmentKind::Addition })>
                        <option value="addition" selected>{move || t().adjustment_kinds[0]}</option>
                        <option value="deduction">{move || t().adjustment_kinds[1]}</option>
                    </select>
                </label>
                <label>
                    <span>{move || t().amount}</span>
                    <input type="text" inputmode="decimal" name="amount" required prop:value=move || amount.get()
                        on:input=move |ev| amount.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || t().for_month}</span>
                    <input type="month" name="for_month" required prop:value=move || month.get()
                        on:input=move |ev| month.set(event_target_value(&ev)) />
                </label>
                <label class="wide">
                    <span>{move || t().col_reason}</span>
                    <input type="text" name="reason" required maxlength="200" prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev)) />
                </label>
                <div class="page-actions wide">
                    <button type="submit" class="button button-primary" id="adjustment-submit">{move || t().save}</button>
                </div>
            </form>
            <div id="adjustment-result">
                {move || bad.get().then(|| view! { <p class="form-error" role="alert">{move || t().bad_input}</p> })}
                {move || adjust.value().get().map(|r| match r {
                    Ok(_) => view! { <p class="form-ok" role="status">{move || t().recorded}</p> }.into_any(),
                    Err(e) => view! { <PayrollError error=e /> }.into_any(),
                })}
            </div>
        </section>
    }
}
