//! The dashboard in a real headless Chromium: hydration, the language
//! switch, the client-side filter and the phone layout.

use fantoccini::Locator;
use gouzhu_tests::{Backend, Browser, DEMO_PASSWORD, Server};
use serde_json::json;

/// Plants a value on `window`: it survives client-side updates and is gone
/// after any reload, so finding it later proves the page never reloaded.
async fn plant_reload_marker(browser: &Browser) {
    browser.js("window.__gouzhuMarker = 'still-here'; return true;").await;
}

async fn page_was_not_reloaded(browser: &Browser) -> bool {
    browser.js("return window.__gouzhuMarker === 'still-here';").await == json!(true)
}

/// Waits until the first element matching `css` has exactly `text`.
async fn wait_for_text(browser: &Browser, css: &str, text: &str) {
    for _ in 0..100 {
        if browser.text(css).await == text {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} never showed {text:?}; it shows {:?}", browser.text(css).await);
}

both_backends! {
    async fn dashboard_hydrates_without_errors(backend: Backend) {
        let server = Server::start(backend);
        let browser = Browser::new().await;
        browser.login(&server.base_url, "finance", DEMO_PASSWORD).await;
        assert_eq!(browser.text("h1").await, "专职低保员岗位概况");
        assert_eq!(browser.text("#total-posts").await, "198");
        let rows = browser.client.find_all(Locator::Css("#town-table tbody tr")).await.expect("rows");
        assert_eq!(rows.len(), 26);
        let pdf = browser.wait_for("a[href='/files/staffing-summary.pdf']").await;
        assert!(pdf.text().await.expect("text").contains("PDF"));
        let errors = browser.console_errors().await;
        assert!(errors.is_empty(), "browser console errors: {errors:#?}");
        // The check above can see errors: one logged now shows up.
        browser.js("console.error('gouzhu console probe'); return true;").await;
        let errors = browser.console_errors().await;
        assert!(errors.iter().any(|l| l.contains("gouzhu console probe")), "console not read: {errors:?}");
        browser.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn language_switch_changes_the_page_in_place_and_is_remembered() {
    let server = Server::start(Backend::Sqlite);
    let browser = Browser::new().await;
    browser.login(&server.base_url, "finance", DEMO_PASSWORD).await;
    plant_reload_marker(&browser).await;

    browser.wait_for(".lang-switch").await.click().await.expect("click");
    wait_for_text(&browser, "h1", "Assistant posts at a glance").await;
    assert!(page_was_not_reloaded(&browser).await, "switching language reloaded the page");
    assert_eq!(browser.js("return document.documentElement.lang;").await, json!("en"));
    assert_eq!(browser.text("#town-table tbody tr th").await, "Binjiang Subdistrict");
    assert_eq!(browser.text(".lang-switch").await, "中文");

    // The choice survives a reload: the server renders English now.
    browser.client.refresh().await.expect("reload");
    browser.wait_for("[data-hydrated=\"true\"]").await;
    assert_eq!(browser.text("h1").await, "Assistant posts at a glance");

    browser.wait_for(".lang-switch").await.click().await.expect("click");
    wait_for_text(&browser, "h1", "专职低保员岗位概况").await;
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "browser console errors: {errors:#?}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn town_filter_works_in_the_browser() {
    let server = Server::start(Backend::Sqlite);
    let browser = Browser::new().await;
    browser.login(&server.base_url, "finance", DEMO_PASSWORD).await;
    plant_reload_marker(&browser).await;

    let input = browser.wait_for("#town-filter").await;
    input.send_keys("镇").await.expect("typing");
    wait_for_text(&browser, ".filter-count", "显示 16 / 26 个镇街").await;
    let rows = browser.client.find_all(Locator::Css("#town-table tbody tr")).await.expect("rows");
    assert_eq!(rows.len(), 16);

    input.clear().await.expect("clear");
    input.send_keys("双河").await.expect("typing");
    wait_for_text(&browser, ".filter-count", "显示 1 / 26 个镇街").await;
    assert_eq!(browser.text("#town-table tbody tr th").await, "双河镇");

    input.clear().await.expect("clear");
    input.send_keys("不存在").await.expect("typing");
    wait_for_text(&browser, "#town-table tbody td.empty", "没有符合条件的镇街").await;
    // The totals are the district's, whatever the filter shows.
    assert_eq!(browser.text("#total-posts").await, "198");
    assert!(page_was_not_reloaded(&browser).await);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_width_fits_the_screen_and_opens_the_menu() {
    let server = Server::start(Backend::Sqlite);
    let browser = Browser::with_window(390, 844).await;
    browser.login(&server.base_url, "finance", DEMO_PASSWORD).await;

    let overflow = browser.js("return document.documentElement.scrollWidth - window.innerWidth;").await;
    assert!(overflow.as_i64().is_some_and(|px| px <= 0), "page scrolls sideways by {overflow} px");

    let sidebar_left = "return document.getElementById('sidebar').getBoundingClientRect().right;";
    assert!(
        browser.js(sidebar_left).await.as_f64().is_some_and(|x| x <= 0.0),
        "sidebar visible before opening"
    );
    let toggle = browser.wait_for(".menu-toggle").await;
    assert_eq!(toggle.attr("aria-expanded").await.expect("attr").as_deref(), Some("false"));
    toggle.click().await.expect("click");
    browser.wait_for(".menu-toggle[aria-expanded='true']").await;
    browser.wait_for("#sidebar.sidebar-open").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_and_logout_in_the_browser() {
    let server = Server::start(Backend::Sqlite);
    let browser = Browser::new().await;
    // A page behind the login sends the browser to the login page and back.
    browser.client.goto(&server.url("/approvals")).await.expect("navigation");
    browser.wait_for("#login-form").await;
    let url = browser.client.current_url().await.expect("url");
    assert_eq!(url.path(), "/login");
    assert_eq!(url.query(), Some("next=/approvals"));

    // A wrong password is refused with the shared message.
    browser.wait_for("[data-hydrated=\"true\"]").await;
    browser.wait_for("#username").await.send_keys("approver").await.expect("typing");
    browser.wait_for("#password").await.send_keys("not-the-password").await.expect("typing");
    browser.wait_for("#login-form button[type=submit]").await.click().await.expect("submit");
    wait_for_text(&browser, ".form-error", "用户名或密码错误。").await;

    let password = browser.wait_for("#password").await;
    password.clear().await.expect("clear");
    password.send_keys(DEMO_PASSWORD).await.expect("typing");
    browser.wait_for("#login-form button[type=submit]").await.click().await.expect("submit");
    browser.wait_for("#approval-list, .approval-list, .panel").await;
    browser.wait_for("#user-name").await;
    assert!(browser.text("#user-name").await.contains("张强"));
    assert_eq!(browser.client.current_url().await.expect("url").path(), "/approvals");
    let cookie_visible = browser.js("return document.cookie.includes('gouzhu_session');").await;
    assert_eq!(cookie_visible, json!(false), "the session cookie must be HttpOnly");

    browser.wait_for("#logout").await.click().await.expect("logout");
    browser.wait_for("#login-form").await;
    browser.client.goto(&server.url("/")).await.expect("navigation");
    browser.wait_for("#login-form").await;
    // The one error expected: the refused sign-in's 401.
    let errors = browser.console_errors().await;
    assert!(
        errors.iter().all(|e| e.contains("/api/login") && e.contains("401")),
        "browser console errors: {errors:#?}"
    );
    browser.close().await;
}
