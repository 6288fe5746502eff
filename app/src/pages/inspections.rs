//! 抽查: spot-inspection plans and their draw, the inspector's form (made
//! for a phone: a plain multipart form that saves drafts, takes photos from
//! the camera and works before the page is hydrated), findings, the
//! rectification notice and its follow-up, and the published results.
//! Pages only present; the server checks every rule and scope.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::inspections::{
    AddInspectionFinding, CreateInspectionPlan, DecideInspectionFinding, DrawInspectionPlan,
    InspectionDetail, IssueRectificationNotice, Overview, PlanDetail, PlanForm, RectSummary, RectView,
    RectificationStep, TownNames, inspection_page, inspection_plan, inspection_results, inspections_overview,
    rectification_alerts,
};
use crate::components::common::{ActionError, ErrorPanel};
use crate::domain::inspection::{
    Answer, ChecklistItem, FindingKind, FindingStatus, InspectionStatus, ItemKind, Severity,
    default_checklist,
};
use crate::i18n::inspections::InspectionText;
use crate::i18n::use_i18n;
use crate::policy::paths;

fn href(path: &str, id: i64) -> String {
    path.replace("{id}", &id.to_string())
}

fn tx() -> impl Fn() -> &'static InspectionText + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t().inspections
}

fn town_label(towns: &TownNames, id: i64, zh: bool) -> String {
    towns
        .iter()
        .find(|t| t.0 == id)
        .map(|(_, code, name, en)| format!("{code} {}", if zh || en.is_empty() { name } else { en }))
        .unwrap_or_default()
}

#[component]
fn Header() -> impl IntoView {
    let t = tx();
    view! {
        <Title text=move || t().pick("抽查", "Inspections") />
        <header class="page-header">
            <div>
                <h1>{move || t().pick("抽查", "Spot inspections")}</h1>
                <p class="muted">{move || t().pick(
                    "双随机、一公开：随机抽取检查对象和检查人员，记录检查情况，跟踪整改直至办结，公开检查结果。",
                    "Random targets and random inspectors, findings followed to closure, results published.",
                )}</p>
            </div>
            <div class="page-actions">
                <a class="button" href=paths::INSPECTION_RESULTS>{move || t().pick("结果公开", "Published results")}</a>
            </div>
        </header>
    }
}

/// A plan's stored status as a tag code (`closed` is shown as completed).
fn plan_status(code: &str) -> String {
    if code == "closed" { "completed".to_owned() } else { code.to_owned() }
}

#[component]
fn StatusTag(code: String) -> impl IntoView {
    let t = tx();
    let class = match code.as_str() {
        "overdue" | "returned" => "tag tag-danger",
        "closed" | "submitted" | "completed" => "tag tag-ok",
        "issued" | "responded" | "draft" => "tag tag-pending",
        _ => "tag",
    };
    let label = code.clone();
    view! { <span class=class data-status=code>{move || t().status_code(&label)}</span> }
}

// --- Overview --------------------------------------------------------------

/// The inspections overview: rectifications, inspections, plans.
#[component]
pub fn InspectionsPage() -> impl IntoView {
    let create = ServerAction::<CreateInspectionPlan>::new();
    let data = Resource::new(move || create.version().get(), |_| inspections_overview());
    view! {
        <Header />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <OverviewView d create /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RectTable(list: Vec<RectSummary>, towns: TownNames) -> impl IntoView {
    let t = tx();
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="data-table" id="rectifications-table">
                <thead><tr>
                    <th>{move || t().pick("通知书编号", "Notice")}</th>
                    <th>{move || t().pick("镇街", "Town")}</th>
                    <th>{move || t().pick("下发日期", "Issued")}</th>
                    <th>{move || t().pick("整改期限", "Deadline")}</th>
                    <th>{move || t().pick("状态", "Status")}</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|r| {
                        let town = towns.clone();
                        let code = if r.overdue { "overdue".to_owned() } else { r.status.code().to_owned() };
                        view! {
                            <tr class:overdue=r.overdue>
                                <td><a href=href(paths::INSPECTION, r.inspection_id)>{r.notice_no.clone()}</a></td>
                                <td>{move || town_label(&town, r.town_id, i18n.t().inspections.is_zh())}</td>
                                <td>{r.issued_on.to_string()}</td>
                                <td>{r.deadline.to_string()}</td>
                                <td><StatusTag code /></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn OverviewView(d: Overview, create: ServerAction<CreateInspectionPlan>) -> impl IntoView {
    let t = tx();
    let i18n = use_i18n();
    let towns = d.towns.clone();
    let towns2 = d.towns.clone();
    let rects = d.rectifications.clone();
    let no_rects = rects.is_empty();
    let inspections = d.inspections.clone();
    let no_inspections = inspections.is_empty();
    let show_plans = !d.plans.is_empty() || d.may_plan;
    view! {
        <section class="panel" id="rectifications">
            <h2>{move || t().pick("整改跟踪", "Rectification")}</h2>
            {if no_rects {
                view! { <p class="muted">{move || t().pick("暂无整改通知。", "No rectification notice yet.")}</p> }.into_any()
            } else {
                view! { <RectTable list=rects towns=towns.clone() /> }.into_any()
            }}
        </section>
        <section class="panel" id="inspections">
            <h2>{move || t().pick("检查任务", "Inspections")}</h2>
            {if no_inspections {
                view! { <p class="muted">{move || t().pick("暂无检查。", "No inspection yet.")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table" id="inspections-table">
                            <thead><tr>
                                <th>{move || t().pick("计划", "Plan")}</th>
                                <th>{move || t().pick("镇街", "Town")}</th>
                                <th>{move || t().pick("检查人员", "Inspectors")}</th>
                                <th>{move || t().pick("状态", "Status")}</th>
                                <th class="num">{move || t().pick("问题", "Findings")}</th>
                                <th>{move || t().pick("整改", "Rectification")}</th>
                            </tr></thead>
                            <tbody>
                                {inspections.into_iter().map(|s| {
                                    let town = towns2.clone();
                                    view! {
                                        <tr>
                                            <td>{s.plan_title.clone()}</td>
                                            <td><a href=href(paths::INSPECTION, s.id)>{move || town_label(&town, s.town_id, i18n.t().inspections.is_zh())}</a></td>
                                            <td>{s.inspectors.join("、")}</td>
                                            <td><StatusTag code=s.status.clone() /></td>
                                            <td class="num">{s.findings}</td>
                                            <td>{s.rectification.clone().map(|code| view! { <StatusTag code /> })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
        {show_plans.then(|| view! {
            <section class="panel" id="plans">
                <h2>{move || t().pick("抽查计划", "Plans")}</h2>
                <div class="table-wrap">
                    <table class="data-table" id="plans-table">
                        <thead><tr>
                            <th>{move || t().pick("名称", "Title")}</th>
                            <th>{move || t().pick("期间", "Period")}</th>
                            <th class="num">{move || t().pick("抽查比例", "Ratio")}</th>
                            <th class="num">{move || t().pick("已提交/抽中", "Submitted / drawn")}</th>
                            <th>{move || t().pick("状态", "Status")}</th>
                        </tr></thead>
                        <tbody>
                            {d.plans.clone().into_iter().map(|p| view! {
                                <tr>
                                    <td><a href=href(paths::INSPECTION_PLAN, p.id)>{p.title.clone()}</a></td>
                                    <td>{format!("{} – {}", p.period_from, p.period_to)}</td>
                                    <td class="num">{format!("{}% / ≥{}", rust_decimal::Decimal::new(i64::from(p.ratio_bp), 2).normalize(), p.minimum_towns)}</td>
                                    <td class="num">{format!("{} / {}", p.submitted, p.inspections)}</td>
                                    <td><StatusTag code=plan_status(&p.status) /></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        })}
        {d.may_plan.then(|| view! { <PlanFormView inspectors=d.inspectors.clone() towns=d.towns.clone() create /> })}
    }
}

/// One checklist item per line: `key|kind|required (1/0)|label`.
fn checklist_text(items: &[ChecklistItem]) -> String {
    items
        .iter()
        .map(|i| format!("{}|{}|{}|{}", i.key, i.kind.code(), u8::from(i.required), i.label))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The checklist typed in the plan form, or the first line that is wrong.
fn parse_checklist(text: &str) -> Result<Vec<ChecklistItem>, usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, line)| {
            let parts: Vec<&str> = line.splitn(4, '|').map(str::trim).collect();
            match parts.as_slice() {
                [key, kind, required, label] => Ok(ChecklistItem {
                    key: (*key).to_owned(),
                    kind: ItemKind::from_code(kind).ok_or(n + 1)?,
                    required: match *required {
                        "1" => true,
                        "0" => false,
                        _ => return Err(n + 1),
                    },
                    label: (*label).to_owned(),
                }),
                _ => Err(n + 1),
            }
        })
        .collect()
}

/// An inspector in the plan form: id, name, in the pool, conflicting town
/// codes as typed, note.
type PoolRow = (i64, String, RwSignal<bool>, RwSignal<String>, RwSignal<String>);

#[component]
fn PlanFormView(
    inspectors: Vec<(i64, String)>,
    towns: TownNames,
    create: ServerAction<CreateInspectionPlan>,
) -> impl IntoView {
    let t = tx();
    let title = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let ratio = RwSignal::new("5".to_owned());
    let minimum = RwSignal::new("2".to_owned());
    let staff = RwSignal::new("2".to_owned());
    let per_town = RwSignal::new("2".to_owned());
    let days = RwSignal::new("30".to_owned());
    let checklist = RwSignal::new(checklist_text(&default_checklist()));
    let local_error = RwSignal::new(None::<String>);
    let pool: Vec<PoolRow> = inspectors
        .into_iter()
        .map(|(id, name)| {
            (id, name, RwSignal::new(true), RwSignal::new(String::new()), RwSignal::new(String::new()))
        })
        .collect();
    let pool2 = pool.clone();
    let send = move |_| {
        let items = match parse_checklist(&checklist.get_untracked()) {
            Ok(items) => items,
            Err(line) => {
                local_error.set(Some(format!(
                    "{} {line}",
                    t().pick("检查表格式有误，行：", "The checklist is malformed at line")
                )));
                return;
            }
        };
        let mut members = Vec::new();
        for (id, _, on, codes, note) in &pool2 {
            if !on.get_untracked() {
                continue;
            }
            let mut ids = Vec::new();
            for code in codes.get_untracked().split([',', '，', ' ']).filter(|c| !c.is_empty()) {
                match towns.iter().find(|tw| tw.1 == code) {
                    Some(tw) => ids.push(tw.0),
                    None => {
                        local_error.set(Some(format!(
                            "{} {code}",
                            t().pick("没有这个镇街代码：", "No town with code")
                        )));
                        return;
                    }
                }
            }
            members.push((*id, ids, note.get_untracked()));
        }
        let number = |s: RwSignal<String>| s.get_untracked().trim().parse::<u32>().unwrap_or(u32::MAX);
        local_error.set(None);
        create.dispatch(CreateInspectionPlan {
            form: PlanForm {
                title: title.get_untracked(),
                period_from: from.get_untracked(),
                period_to: to.get_untracked(),
                ratio_percent: ratio.get_untracked(),
                minimum_towns: number(minimum),
                staff_per_town: number(staff),
                inspectors_per_town: number(per_town),
                rectification_days: number(days),
                checklist: items,
                pool: members,
            },
        });
    };
    let done = move || create.value().get().and_then(Result::ok);
    let error = move || create.value().get().and_then(Result::err);
    let field = move |label: &'static str,
                      en: &'static str,
                      sig: RwSignal<String>,
                      kind: &'static str,
                      name: &'static str| {
        view! {
            <label><span>{move || t().pick(label, en)}</span>
                <input type=kind name=name prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) /></label>
        }
    };
    view! {
        <section class="panel" id="plan-form">
            <h2>{move || t().pick("新建抽查计划", "New plan")}</h2>
            <p class="muted">{move || t().pick(
                "按比例向上取整且不少于最少镇街数抽取镇街；每个镇街从人员库中排除回避人员后随机抽取检查人员（至少 2 名）。抽取一次完成并记录随机种子，任何人可复核，不能重抽。",
                "Towns: the ratio rounded up, at least the minimum. Inspectors per town: drawn from the pool without those with a conflict (at least two). One draw, its seed recorded so anyone can re-run it; never redrawn.",
            )}</p>
            <div class="form-grid">
                {field("计划名称", "Title", title, "text", "title")}
                {field("开始日期", "From", from, "date", "period_from")}
                {field("结束日期", "To", to, "date", "period_to")}
                {field("抽查比例（%）", "Ratio (%)", ratio, "text", "ratio")}
                {field("最少镇街数", "At least (towns)", minimum, "number", "minimum_towns")}
                {field("每镇抽取访谈人数", "Staff to interview per town", staff, "number", "staff_per_town")}
                {field("每镇检查人员数", "Inspectors per town", per_town, "number", "inspectors_per_town")}
                {field("整改期限（天）", "Days to rectify", days, "number", "rectification_days")}
            </div>
            <label class="wide"><span>{move || t().pick("检查表（每行：编号|类型 yes_no/number/text/photo|必填 1/0|名称；是非题以“是”为符合要求）", "Checklist (one per line: key|kind yes_no/number/text/photo|required 1/0|label; yes/no items are phrased so that yes is compliant)")}</span>
                <textarea name="checklist" rows="8" prop:value=move || checklist.get() on:input=move |ev| checklist.set(event_target_value(&ev))></textarea></label>
            <h3>{move || t().pick("检查人员库及回避", "Inspector pool and conflicts")}</h3>
            <div class="table-wrap">
                <table class="data-table" id="pool-table">
                    <thead><tr>
                        <th>{move || t().pick("入库", "In pool")}</th>
                        <th>{move || t().pick("检查人员", "Inspector")}</th>
                        <th>{move || t().pick("回避镇街代码（逗号分隔）", "Conflicting town codes (comma-separated)")}</th>
                        <th>{move || t().pick("回避说明", "Note")}</th>
                    </tr></thead>
                    <tbody>
                        {pool.into_iter().map(|(id, name, on, codes, note)| view! {
                            <tr>
                                <td><input type="checkbox" name="pool" value=id prop:checked=move || on.get() on:change=move |ev| on.set(event_target_checked(&ev)) /></td>
                                <td>{name}</td>
                                <td><input type="text" name=format!("conflicts-{id}") size="12" prop:value=move || codes.get() on:input=move |ev| codes.set(event_target_value(&ev)) /></td>
                                <td><input type="text" name=format!("note-{id}") prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) /></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="page-actions">
                <button type="button" class="button button-primary" id="create-plan" on:click=send>{move || t().pick("保存计划", "Save plan")}</button>
            </div>
            {move || local_error.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            {move || error().map(|e| view! { <ActionError error=e /> })}
            {move || done().map(|id| view! { <p class="form-ok"><a href=href(paths::INSPECTION_PLAN, id)>{move || t().pick("计划已保存，查看并抽取", "Plan saved: open it to draw")}</a></p> })}
        </section>
    }
}

// --- Plan ------------------------------------------------------------------

/// One plan: its checklist, pool, draw and inspections.
#[component]
pub fn InspectionPlanPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or_default());
    let draw = ServerAction::<DrawInspectionPlan>::new();
    let data = Resource::new(move || (id(), draw.version().get()), |(id, _)| inspection_plan(id));
    view! {
        <Header />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((d, towns)) => view! { <PlanView d towns draw /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PlanView(d: PlanDetail, towns: TownNames, draw: ServerAction<DrawInspectionPlan>) -> impl IntoView {
    let t = tx();
    let i18n = use_i18n();
    let who = use_context::<crate::components::layout::CurrentUser>().map(|u| u.0);
    let may_draw = d.draw.is_none() && who.is_some_and(|u| u.has(crate::domain::access::Role::Finance));
    let id = d.summary.id;
    let error = move || draw.value().get().and_then(Result::err);
    let towns2 = towns.clone();
    let s = d.summary.clone();
    view! {
        <section class="panel" id="plan">
            <h2>{s.title.clone()}</h2>
            <dl class="facts">
                <dt>{move || t().pick("期间", "Period")}</dt><dd>{format!("{} – {}", s.period_from, s.period_to)}</dd>
                <dt>{move || t().pick("抽查比例", "Ratio")}</dt><dd>{format!("{}%，≥ {}", rust_decimal::Decimal::new(i64::from(s.ratio_bp), 2).normalize(), s.minimum_towns)}</dd>
                <dt>{move || t().pick("每镇访谈人数 / 检查人员", "Staff / inspectors per town")}</dt><dd>{format!("{} / {}", d.staff_per_town, d.inspectors_per_town)}</dd>
                <dt>{move || t().pick("整改期限", "Days to rectify")}</dt><dd>{d.rectification_days}</dd>
                <dt>{move || t().pick("状态", "Status")}</dt><dd id="plan-status"><StatusTag code=plan_status(&s.status) /></dd>
            </dl>
            <h3>{move || t().pick("检查表", "Checklist")}</h3>
            <ol class="checklist">
                {d.checklist.iter().map(|i| view! { <li>{i.label.clone()}<small class="muted">{format!(" [{}{}]", i.kind.code(), if i.required { ", *" } else { "" })}</small></li> }).collect_view()}
            </ol>
            <h3>{move || t().pick("检查人员库", "Inspector pool")}</h3>
            <ul id="pool">
                {d.pool.iter().map(|m| {
                    let conflicts = m.conflict_towns.clone();
                    let towns = towns2.clone();
                    let note = m.conflict_note.clone();
                    view! { <li>{m.name.clone()}{move || {
                        let list: Vec<String> = conflicts.iter().map(|c| town_label(&towns, *c, i18n.t().inspections.is_zh())).collect();
                        if list.is_empty() { String::new() } else { format!(" — {}{}{}", t().pick("回避：", "conflicts: "), list.join("、"), if note.is_empty() { String::new() } else { format!("（{note}）") }) }
                    }}</li> }
                }).collect_view()}
            </ul>
        </section>
        <section class="panel" id="draw">
            <h2>{move || t().pick("随机抽取", "The draw")}</h2>
            {match d.draw.clone() {
                Some(r) => view! {
                    <dl class="facts">
                        <dt>{move || t().pick("算法", "Algorithm")}</dt><dd id="draw-algorithm">{r.algorithm.clone()}</dd>
                        <dt>{move || t().pick("随机种子", "Seed")}</dt><dd><code id="draw-seed">{r.seed.clone()}</code></dd>
                        <dt>{move || t().pick("候选名单 SHA-256", "Candidates SHA-256")}</dt><dd><code>{r.input_sha256.clone()}</code></dd>
                        <dt>{move || t().pick("抽取时间 / 操作人", "Drawn at / by")}</dt><dd>{format!("{} UTC · {}", r.drawn_at.format("%Y-%m-%d %H:%M:%S"), r.drawn_by)}</dd>
                    </dl>
                    <details><summary>{move || t().pick("候选名单（JSON，可用于复核）", "Candidates (JSON, to re-run)")}</summary><pre class="draw-input">{r.input.clone()}</pre></details>
                    <p class="muted">{move || t().pick("复核方法见 docs/inspections-plan.md：用同一种子和候选名单重新运行，结果应完全相同。", "To re-run: docs/inspections-plan.md — the same seed and candidates give the same result.")}</p>
                }.into_any(),
                None => view! {
                    <p class="muted">{move || t().pick("尚未抽取。抽取只能进行一次，结果和随机种子将被记录且不能更改。", "Not drawn yet. A plan is drawn once; the result and its seed are recorded and cannot change.")}</p>
                    {may_draw.then(|| view! {
                        <button type="button" class="button button-primary" id="draw-plan" on:click=move |_| { draw.dispatch(DrawInspectionPlan { id }); }>{move || t().pick("抽取", "Draw")}</button>
                    })}
                }.into_any(),
            }}
            {move || error().map(|e| view! { <ActionError error=e /> })}
            {(!d.inspections.is_empty()).then(|| view! {
                <div class="table-wrap">
                    <table class="data-table" id="drawn-table">
                        <thead><tr>
                            <th>"#"</th>
                            <th>{move || t().pick("镇街", "Town")}</th>
                            <th>{move || t().pick("检查人员", "Inspectors")}</th>
                            <th>{move || t().pick("状态", "Status")}</th>
                        </tr></thead>
                        <tbody>
                            {d.inspections.iter().map(|s| {
                                let towns = towns.clone();
                                let town_id = s.town_id;
                                view! {
                                    <tr>
                                        <td>{s.draw_order}</td>
                                        <td><a href=href(paths::INSPECTION, s.id)>{move || town_label(&towns, town_id, i18n.t().inspections.is_zh())}</a></td>
                                        <td>{s.inspectors.join("、")}</td>
                                        <td><StatusTag code=s.status.clone() /></td>
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

// --- Inspection ------------------------------------------------------------

/// One inspection: the phone form before submission, the record after,
/// findings and rectification.
#[component]
pub fn InspectionPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or_default());
    let add = ServerAction::<AddInspectionFinding>::new();
    let decide = ServerAction::<DecideInspectionFinding>::new();
    let notice = ServerAction::<IssueRectificationNotice>::new();
    let step = ServerAction::<RectificationStep>::new();
    let data = Resource::new(
        move || {
            (id(), add.version().get(), decide.version().get(), notice.version().get(), step.version().get())
        },
        |(id, ..)| inspection_page(id),
    );
    let problem = move || query.with(|q| q.get("problem"));
    let saved = move || query.with(|q| q.get("saved"));
    let t = tx();
    view! {
        <Header />
        {move || problem().map(|p| view! { <section class="panel panel-error" role="alert" id="form-problem"><p>{p}</p></section> })}
        {move || saved().map(|s| view! { <p class="form-ok" id="form-saved">{move || if s == "submit" { t().pick("已提交。", "Submitted.") } else { t().pick("草稿已保存。", "Draft saved.") }}</p> })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((d, towns)) => view! { <InspectionView d towns add decide notice step /> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn answer_text(t: &InspectionText, a: Option<&Answer>) -> String {
    match a {
        Some(Answer::Yes) => t.pick("是", "Yes").to_owned(),
        Some(Answer::No) => t.pick("否", "No").to_owned(),
        Some(Answer::Number(n)) => n.to_string(),
        Some(Answer::Text(s)) => s.clone(),
        None => String::new(),
    }
}

fn local_input(at: Option<chrono::NaiveDateTime>) -> String {
    at.map(|a| a.format("%Y-%m-%dT%H:%M").to_string()).unwrap_or_default()
}

#[component]
fn InspectionView(
    d: InspectionDetail,
    towns: TownNames,
    add: ServerAction<AddInspectionFinding>,
    decide: ServerAction<DecideInspectionFinding>,
    notice: ServerAction<IssueRectificationNotice>,
    step: ServerAction<RectificationStep>,
) -> impl IntoView {
    let t = tx();
    let i18n = use_i18n();
    let town_id = d.town_id;
    let towns2 = towns.clone();
    let town = move || town_label(&towns2, town_id, i18n.t().inspections.is_zh());
    let f = d.facts.clone();
    let interview: Vec<i64> = d.interview.iter().map(|p| p.staff_id).collect();
    let vacant = f.posts.iter().filter(|p| p.vacant_since.is_some()).count();
    let status = d.status;
    view! {
        <section class="panel" id="inspection">
            <h2>{d.plan_title.clone()}" · "{town.clone()}</h2>
            <dl class="facts">
                <dt>{move || t().pick("状态", "Status")}</dt><dd id="inspection-status"><StatusTag code=status.code().to_owned() /></dd>
                <dt>{move || t().pick("检查人员", "Inspectors")}</dt><dd>{d.inspectors.join("、")}</dd>
                <dt>{move || t().pick("抽中访谈人员", "Drawn for interview")}</dt><dd>{d.interview.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join("、")}</dd>
            </dl>
            <h3>{move || t().pick("系统已知情况", "What the system knows")}</h3>
            <dl class="facts" id="prefill">
                <dt>{move || t().pick("核定岗位", "Posts allocated")}</dt><dd id="prefill-allocated">{f.allocated.map(|a| a.to_string()).unwrap_or_else(|| "—".into())}</dd>
                <dt>{move || t().pick("已设岗位 / 空岗", "Posts open / vacant")}</dt><dd>{format!("{} / {}", f.posts.len(), vacant)}</dd>
                <dt>{move || t().pick("在册在岗", "On duty (roster)")}</dt><dd id="prefill-roster">{f.roster.len()}</dd>
                <dt>{move || t().pick("最近一期工资发放人数", "Paid in the last payroll")}</dt><dd id="prefill-paid">{match &f.payroll_month { Some(m) => format!("{} ({m})", f.paid.len()), None => "—".into() }}</dd>
            </dl>
        </section>
        {if d.may_edit {
            view! { <FormView d=d.clone() interview /> }.into_any()
        } else if status == InspectionStatus::Submitted {
            view! { <RecordView d=d.clone() /> }.into_any()
        } else {
            view! { <section class="panel"><p class="muted">{move || t().pick("尚未提交。", "Not submitted yet.")}</p></section> }.into_any()
        }}
        {(status == InspectionStatus::Submitted).then(|| view! { <FindingsView d=d.clone() add decide notice /> })}
        {d.rectification.clone().map(|r| view! { <RectificationView r may_respond=d.may_respond may_verify=d.may_verify step /> })}
    }
}

/// The inspector's form: a plain multipart form, so photos go with the
/// answers and nothing depends on the page being hydrated.
#[component]
fn FormView(d: InspectionDetail, interview: Vec<i64>) -> impl IntoView {
    let t = tx();
    let action = href(paths::INSPECTION_FORM, d.id);
    let arrived = local_input(d.arrived_at.or(Some(d.now)));
    let left = local_input(d.left_at);
    let photos = d.photos.clone();
    view! {
        <form class="panel inspection-form" id="inspection-form" method="post" enctype="multipart/form-data" action=action>
            <h2>{move || t().pick("检查记录", "Inspection record")}</h2>
            <input type="hidden" name="version" value=d.version />
            <div class="form-grid">
                <label><span>{move || t().pick("到达时间", "Arrived")}</span><input type="datetime-local" name="arrived_at" value=arrived /></label>
                <label><span>{move || t().pick("离开时间", "Left")}</span><input type="datetime-local" name="left_at" value=left /></label>
                <label><span>{move || t().pick("实到人数", "Headcount found")}</span><input type="number" inputmode="numeric" min="0" name="headcount" value=d.headcount.map(|h| h.to_string()).unwrap_or_default() /></label>
            </div>
            <h3>{move || t().pick("在岗人员（勾选缺勤或从事其他工作者）", "Staff on duty (tick who is absent or doing other work)")}</h3>
            <ul class="roster-checks" id="roster-checks">
                {d.facts.roster.iter().map(|p| {
                    let drawn = interview.contains(&p.staff_id);
                    view! {
                        <li>
                            <span class="who">{p.name.clone()}{drawn.then(|| view! { <small class="tag">{move || t().pick("访谈", "interview")}</small> })}</span>
                            <label class="check"><input type="checkbox" name="absent" value=p.staff_id checked=d.absent.contains(&p.staff_id) />{move || t().pick("缺勤", "absent")}</label>
                            <label class="check"><input type="checkbox" name="other_duties" value=p.staff_id checked=d.other_duties.contains(&p.staff_id) />{move || t().pick("从事其他工作", "other work")}</label>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <h3>{move || t().pick("检查项目", "Checklist")}</h3>
            {d.checklist.iter().map(|item| {
                let key = item.key.clone();
                let name = format!("answer:{key}");
                let current = d.answers.get(&key).cloned();
                let required = item.required;
                let mine: Vec<String> = photos.iter().filter(|p| p.item_key == key).map(|p| p.display_name.clone()).collect();
                let control = match item.kind {
                    ItemKind::YesNo => view! {
                        <span class="yes-no">
                            <label class="check"><input type="radio" name=name.clone() value="yes" checked=current == Some(Answer::Yes) />{move || t().pick("是", "Yes")}</label>
                            <label class="check"><input type="radio" name=name.clone() value="no" checked=current == Some(Answer::No) />{move || t().pick("否", "No")}</label>
                        </span>
                    }.into_any(),
                    ItemKind::Number => view! {
                        <input type="number" inputmode="numeric" min="0" name=name.clone() value=match &current { Some(Answer::Number(n)) => n.to_string(), _ => String::new() } />
                    }.into_any(),
                    ItemKind::Text => view! {
                        <textarea name=name.clone() rows="2" maxlength="2000">{match &current { Some(Answer::Text(s)) => s.clone(), _ => String::new() }}</textarea>
                    }.into_any(),
                    ItemKind::Photo => view! {
                        <span>
                            {(!mine.is_empty()).then(|| view! { <small class="muted">{format!("{} {}", t().pick("已上传：", "Uploaded:"), mine.join("、"))}</small> })}
                            <input type="file" name=format!("photo:{key}") accept="image/jpeg,image/png" capture="environment" multiple=true />
                        </span>
                    }.into_any(),
                };
                view! {
                    <div class="check-item" data-key=key.clone()>
                        <span class="label">{item.label.clone()}{required.then_some(" *")}</span>
                        {control}
                    </div>
                }
            }).collect_view()}
            <label class="wide"><span>{move || t().pick("备注", "Remarks")}</span><textarea name="remarks" rows="3" maxlength="4000">{d.remarks.clone()}</textarea></label>
            <p class="muted">{move || t().pick(
                "照片可直接用手机相机拍摄；位置信息在保存前去除。保存草稿不检查必填项；提交后不能修改，系统将与岗位、花名册和工资数据比对，提出待确认的问题。",
                "Photos can be taken with the phone's camera; location data is removed before storing. A draft skips the required items; once submitted the record is frozen and compared with posts, roster and payroll to propose findings.",
            )}</p>
            <div class="page-actions">
                <button type="submit" class="button" name="action" value="draft" id="save-draft">{move || t().pick("保存草稿", "Save draft")}</button>
                <button type="submit" class="button button-primary" name="action" value="submit" id="submit-inspection">{move || t().pick("提交", "Submit")}</button>
            </div>
        </form>
    }
}

#[component]
fn RecordView(d: InspectionDetail) -> impl IntoView {
    let t = tx();
    let i18n = use_i18n();
    let name_of = |ids: &[i64]| -> String {
        d.facts
            .roster
            .iter()
            .filter(|p| ids.contains(&p.staff_id))
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
            .join("、")
    };
    let absent = name_of(&d.absent);
    let busy = name_of(&d.other_duties);
    let when = format!(
        "{} – {}",
        local_input(d.arrived_at).replace('T', " "),
        local_input(d.left_at).replace('T', " ")
    );
    view! {
        <section class="panel" id="inspection-record">
            <h2>{move || t().pick("检查记录", "Inspection record")}</h2>
            <dl class="facts">
                <dt>{move || t().pick("时间", "Time")}</dt><dd>{when}</dd>
                <dt>{move || t().pick("实到人数", "Headcount found")}</dt><dd id="record-headcount">{d.headcount.map(|h| h.to_string()).unwrap_or_default()}</dd>
                <dt>{move || t().pick("缺勤", "Absent")}</dt><dd>{absent}</dd>
                <dt>{move || t().pick("从事其他工作", "Doing other work")}</dt><dd>{busy}</dd>
                {d.checklist.iter().map(|item| {
                    let a = d.answers.get(&item.key).cloned();
                    let photos: Vec<(i64, String)> = d.photos.iter().filter(|p| p.item_key == item.key).map(|p| (p.id, p.display_name.clone())).collect();
                    view! {
                        <dt>{item.label.clone()}</dt>
                        <dd>{move || answer_text(i18n.t().inspections, a.as_ref())}
                            {photos.into_iter().map(|(id, name)| view! { <a class="photo-link" href=href(paths::INSPECTION_PHOTO, id)>{name}</a> }).collect_view()}
                        </dd>
                    }
                }).collect_view()}
                <dt>{move || t().pick("备注", "Remarks")}</dt><dd>{d.remarks.clone()}</dd>
            </dl>
        </section>
    }
}

#[component]
fn FindingsView(
    d: InspectionDetail,
    add: ServerAction<AddInspectionFinding>,
    decide: ServerAction<DecideInspectionFinding>,
    notice: ServerAction<IssueRectificationNotice>,
) -> impl IntoView {
    let t = tx();
    let i18n = use_i18n();
    let may = d.may_decide;
    let inspection_id = d.id;
    let kind = RwSignal::new(FindingKind::Other.code().to_owned());
    let severity = RwSignal::new(Severity::Minor.code().to_owned());
    let description = RwSignal::new(String::new());
    let deadline = RwSignal::new(String::new());
    let error = move || {
        decide
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| add.value().get().and_then(Result::err))
            .or_else(|| notice.value().get().and_then(Result::err))
    };
    let empty = d.findings.is_empty();
    view! {
        <section class="panel" id="findings">
            <h2>{move || t().pick("发现的问题", "Findings")}</h2>
            {empty.then(|| view! { <p class="muted">{move || t().pick("未发现问题。", "No finding.")}</p> })}
            <ul class="findings" id="findings-list">
                {d.findings.iter().map(|f| {
                    let sev = RwSignal::new(f.severity.code().to_owned());
                    let reason = RwSignal::new(String::new());
                    let id = f.id;
                    let proposed = f.status == FindingStatus::Proposed;
                    let (k, s, st) = (f.kind, f.severity, f.status.code().to_owned());
                    let st2 = st.clone();
                    view! {
                        <li class="finding" data-status=st.clone() data-kind=k.code()>
                            <div>
                                <strong>{move || i18n.t().inspections.kind(k)}</strong>
                                " · "<span class="tag" data-severity=s.code()>{move || i18n.t().inspections.severity(s)}</span>
                                " · "<span class="tag">{move || i18n.t().inspections.finding_status(&st2)}</span>
                            </div>
                            <p>{f.description.clone()}</p>
                            {(!f.dismiss_reason.is_empty()).then(|| view! { <p class="muted">{f.dismiss_reason.clone()}</p> })}
                            {(may && proposed).then(|| view! {
                                <div class="row-actions">
                                    <select prop:value=move || sev.get() on:change=move |ev| sev.set(event_target_value(&ev))>
                                        {Severity::ALL.into_iter().map(|s| view! { <option value=s.code() selected=s == f.severity>{move || i18n.t().inspections.severity(s)}</option> }).collect_view()}
                                    </select>
                                    <button type="button" class="button button-primary confirm-finding" on:click=move |_| { decide.dispatch(DecideInspectionFinding { id, confirm: true, severity: sev.get_untracked(), reason: String::new() }); }>{move || t().pick("确认", "Confirm")}</button>
                                    <input type="text" placeholder=move || t().pick("排除理由", "Reason to dismiss") prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                                    <button type="button" class="button dismiss-finding" on:click=move |_| { decide.dispatch(DecideInspectionFinding { id, confirm: false, severity: sev.get_untracked(), reason: reason.get_untracked() }); }>{move || t().pick("排除", "Dismiss")}</button>
                                </div>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {may.then(|| view! {
                <h3>{move || t().pick("补充问题", "Add a finding")}</h3>
                <div class="form-grid">
                    <label><span>{move || t().pick("类别", "Kind")}</span>
                        <select prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                            {FindingKind::ALL.into_iter().map(|k| view! { <option value=k.code() selected=k == FindingKind::Other>{move || i18n.t().inspections.kind(k)}</option> }).collect_view()}
                        </select></label>
                    <label><span>{move || t().pick("严重程度", "Severity")}</span>
                        <select prop:value=move || severity.get() on:change=move |ev| severity.set(event_target_value(&ev))>
                            {Severity::ALL.into_iter().map(|s| view! { <option value=s.code()>{move || i18n.t().inspections.severity(s)}</option> }).collect_view()}
                        </select></label>
                </div>
                <label class="wide"><span>{move || t().pick("问题描述", "Description")}</span>
                    <textarea rows="2" maxlength="2000" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea></label>
                <div class="page-actions">
                    <button type="button" class="button" id="add-finding" on:click=move |_| { add.dispatch(AddInspectionFinding { inspection_id, kind: kind.get_untracked(), severity: severity.get_untracked(), description: description.get_untracked() }); }>{move || t().pick("添加", "Add")}</button>
                </div>
                <h3>{move || t().pick("下发整改通知书", "Issue the rectification notice")}</h3>
                <div class="form-grid">
                    <label><span>{move || t().pick("整改期限（空：按计划天数）", "Deadline (empty: the plan's days)")}</span>
                        <input type="date" name="deadline" prop:value=move || deadline.get() on:input=move |ev| deadline.set(event_target_value(&ev)) /></label>
                </div>
                <div class="page-actions">
                    <button type="button" class="button button-primary" id="issue-notice" on:click=move |_| { notice.dispatch(IssueRectificationNotice { inspection_id, deadline: deadline.get_untracked() }); }>{move || t().pick("下发", "Issue")}</button>
                </div>
            })}
            {move || error().map(|e| view! { <ActionError error=e /> })}
        </section>
    }
}

#[component]
fn RectificationView(
    r: RectView,
    may_respond: bool,
    may_verify: bool,
    step: ServerAction<RectificationStep>,
) -> impl IntoView {
    let t = tx();
    let i18n = use_i18n();
    let body = RwSignal::new(String::new());
    let id = r.id;
    let code = if r.overdue { "overdue".to_owned() } else { r.status.code().to_owned() };
    let send = move |action: &'static str| {
        step.dispatch(RectificationStep { id, action: action.to_owned(), body: body.get_untracked() });
    };
    let error = move || step.value().get().and_then(Result::err);
    let upload = href(paths::RECTIFICATION_EVIDENCE_UPLOAD, id);
    let pending = r.pending_evidence.clone();
    view! {
        <section class="panel" id="rectification" class:overdue=r.overdue>
            <h2>{move || t().pick("整改", "Rectification")}" · "{r.notice_no.clone()}</h2>
            <dl class="facts">
                <dt>{move || t().pick("下发日期", "Issued")}</dt><dd>{r.issued_on.to_string()}</dd>
                <dt>{move || t().pick("整改期限", "Deadline")}</dt><dd id="rect-deadline">{r.deadline.to_string()}</dd>
                <dt>{move || t().pick("状态", "Status")}</dt><dd id="rect-status"><StatusTag code /></dd>
                <dt>{move || t().pick("整改通知书", "Notice")}</dt><dd><a href=href(paths::RECTIFICATION_NOTICE_PDF, id) id="notice-pdf">"PDF"</a></dd>
            </dl>
            <ol class="steps" id="rect-steps">
                {r.steps.iter().map(|s| {
                    let action = s.action.clone();
                    view! {
                        <li>
                            <strong>{move || i18n.t().inspections.action(&action)}</strong>
                            <small class="muted">{format!(" {} UTC · {}", s.at.format("%Y-%m-%d %H:%M"), s.by)}</small>
                            {(!s.body.is_empty()).then(|| view! { <p>{s.body.clone()}</p> })}
                            {s.evidence.iter().map(|(eid, name)| view! { <a class="photo-link" href=href(paths::RECTIFICATION_EVIDENCE, *eid)>{name.clone()}</a> }).collect_view()}
                        </li>
                    }
                }).collect_view()}
            </ol>
            {may_respond.then(|| view! {
                <h3>{move || t().pick("反馈整改情况", "Respond")}</h3>
                <form method="post" enctype="multipart/form-data" action=upload.clone() class="upload-form" id="rect-evidence-form">
                    <input type="file" name="file" accept="image/jpeg,image/png,application/pdf" capture="environment" />
                    <button type="submit" class="button">{move || t().pick("上传佐证", "Upload evidence")}</button>
                </form>
                {(!pending.is_empty()).then(|| view! { <p class="muted" id="pending-evidence">{format!("{} {}", t().pick("待提交的佐证：", "Evidence to send:"), pending.iter().map(|p| p.1.clone()).collect::<Vec<_>>().join("、"))}</p> })}
                <label class="wide"><span>{move || t().pick("整改情况说明", "What was corrected")}</span>
                    <textarea rows="3" maxlength="4000" prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea></label>
                <div class="page-actions"><button type="button" class="button button-primary" id="rect-respond" on:click=move |_| send("respond")>{move || t().pick("提交反馈", "Send response")}</button></div>
            })}
            {may_verify.then(|| view! {
                <h3>{move || t().pick("核查", "Verify")}</h3>
                <label class="wide"><span>{move || t().pick("核查意见（退回时必填）", "Comment (required to return)")}</span>
                    <textarea rows="2" maxlength="4000" prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea></label>
                <div class="page-actions">
                    <button type="button" class="button button-primary" id="rect-close" on:click=move |_| send("close")>{move || t().pick("核查通过，办结", "Verified: close")}</button>
                    <button type="button" class="button" id="rect-return" on:click=move |_| send("return")>{move || t().pick("退回重改", "Return")}</button>
                </div>
            })}
            {move || error().map(|e| view! { <ActionError error=e /> })}
        </section>
    }
}

// --- Results and alerts ----------------------------------------------------

/// The published results (一公开): no personal data.
#[component]
pub fn InspectionResultsPage() -> impl IntoView {
    let t = tx();
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| inspection_results());
    view! {
        <Header />
        <section class="panel" id="results">
            <h2>{move || t().pick("抽查结果公开", "Published results")}</h2>
            <p class="muted">{move || t().pick(
                "公开内容不含任何个人信息（姓名、身份证号、问题描述均不公开），只列检查对象、问题类别和整改状态。",
                "No personal data is published (no names, identity numbers or descriptions): only the town, kinds of findings and where rectification stands.",
            )}</p>
            <p><a class="button" href=paths::INSPECTION_RESULTS_XLSX id="results-xlsx">{move || t().pick("导出 Excel", "Export (xlsx)")}</a></p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(list) => view! {
                            <div class="table-wrap">
                                <table class="data-table" id="results-table">
                                    <thead><tr>
                                        <th>{move || t().pick("计划", "Plan")}</th>
                                        <th>{move || t().pick("镇街", "Town")}</th>
                                        <th>{move || t().pick("检查日期", "Inspected")}</th>
                                        <th class="num">{move || t().pick("检查人员数", "Inspectors")}</th>
                                        <th>{move || t().pick("发现问题", "Findings")}</th>
                                        <th>{move || t().pick("整改", "Rectification")}</th>
                                    </tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|r| {
                                            let kinds = r.kinds.clone();
                                            let code = match (r.overdue, r.rectification) {
                                                (true, _) => Some("overdue".to_owned()),
                                                (false, Some(s)) => Some(s.code().to_owned()),
                                                _ => None,
                                            };
                                            view! {
                                                <tr>
                                                    <td>{r.plan_title.clone()}</td>
                                                    <td>{format!("{} {}", r.town_code, r.town_name)}</td>
                                                    <td>{r.inspected_on.map(|d| d.to_string()).unwrap_or_default()}</td>
                                                    <td class="num">{r.inspectors}</td>
                                                    <td>{move || if kinds.is_empty() { t().pick("未发现问题", "None").to_owned() } else { kinds.iter().map(|(k, s)| format!("{}（{}）", i18n.t().inspections.kind(*k), i18n.t().inspections.severity(*s))).collect::<Vec<_>>().join("；") }}</td>
                                                    <td>{code.map(|code| view! { <StatusTag code /> })}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Open rectifications on the dashboard, the overdue marked.
#[component]
pub fn RectificationAlerts() -> impl IntoView {
    let t = tx();
    let data = Resource::new(|| (), |_| rectification_alerts());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((list, towns)) if !list.is_empty() => {
                        let overdue = list.iter().filter(|r| r.overdue).count();
                        view! {
                            <section class="panel" id="rectification-alerts" class:panel-alert={overdue > 0}>
                                <h2>{move || t().pick("整改跟踪", "Rectification")}
                                    {(overdue > 0).then(|| view! { " "<span class="tag tag-danger" id="overdue-count">{move || format!("{} {overdue}", t().pick("逾期", "overdue"))}</span> })}
                                </h2>
                                <RectTable list towns />
                            </section>
                        }.into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
}
