//! Helpers shared by the end-to-end tests.

use serde_json::Value;

/// The demo district as shipped in `server/demo/district.json`.
pub fn demo_fixture() -> Value {
    let path = gouzhu_tests::workspace_root().join("server/demo/district.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("demo fixture is JSON")
}

/// The demo towns' names in `field` (`name` or `name_en`).
pub fn demo_town_names(field: &str) -> Vec<String> {
    demo_fixture()["towns"]
        .as_array()
        .expect("towns array")
        .iter()
        .map(|t| t[field].as_str().expect("town name").to_owned())
        .collect()
}

/// The visible text of the element with `id` in server-rendered HTML:
/// tags and hydration comments removed.
pub fn text_of_id(html: &str, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}\"");
    let start = html.find(&marker)?;
    let open_end = start + html[start..].find('>')? + 1;
    let rest = &html[open_end..];
    let close = rest.find("</")?;
    Some(strip_tags(&rest[..close]).trim().to_owned())
}

/// Removes tags and comments.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in html.chars() {
        match c {
            '<' => depth += 1,
            '>' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}
