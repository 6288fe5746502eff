//! Data of the staffing summary (岗位配置汇总表) document.

use app::api::dashboard::Dashboard;
use app::domain::staffing::TownKind;
use app::format::group_thousands;
use app::i18n::Locale;
use serde_json::{Value, json};

/// The `data.json` of `contract-templates/staffing-summary.typ`: labels in
/// `locale`, figures already formatted, one row per town and a total row.
pub fn document_data(dashboard: &Dashboard, locale: Locale) -> Value {
    let t = locale.messages();
    let district = locale.pick(&dashboard.district.name, &dashboard.district.name_en);
    let per_post = |n: Option<u64>| n.map(group_thousands).unwrap_or_default();
    let rows: Vec<Value> = dashboard
        .towns
        .iter()
        .map(|town| {
            json!([
                town.code,
                locale.pick(&town.name, &town.name_en),
                match town.kind {
                    TownKind::Street => t.kind_street,
                    TownKind::Town => t.kind_town,
                },
                town.communities.to_string(),
                town.villages.to_string(),
                group_thousands(town.population),
                town.posts.to_string(),
                per_post(town.population_per_post()),
            ])
        })
        .collect();
    let totals = &dashboard.totals;
    json!({
        "lang": match locale { Locale::ZhCn => "zh", Locale::En => "en" },
        "title": (t.pdf_title)(district),
        "subtitle": t.pdf_subtitle,
        "issuer": (t.pdf_issuer)(district),
        "as_of_label": t.pdf_as_of,
        "as_of": dashboard.as_of.format("%Y-%m-%d").to_string(),
        "note": t.pdf_note,
        "page": t.pdf_page,
        "columns": [
            t.col_code, t.col_name, t.col_kind, t.col_communities, t.col_villages,
            t.col_population, t.col_posts, t.col_per_post,
        ],
        "rows": rows,
        "total": [
            "", t.total_row, "",
            totals.communities.to_string(),
            totals.villages.to_string(),
            group_thousands(totals.population),
            totals.posts.to_string(),
            per_post(totals.population_per_post()),
        ],
    })
}
