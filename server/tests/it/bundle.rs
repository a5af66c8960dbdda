//! One file is the whole deployment: a bundled `lookout`, run where no site
//! folder exists, serves the WebAssembly, JavaScript and CSS from itself.

use crate::common;

use common::{lookout_ok, ServerProcess, TestDb};

#[tokio::test]
async fn a_bundled_binary_serves_its_site_without_a_site_folder() {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("lookout");
    std::fs::copy(env!("CARGO_BIN_EXE_lookout"), &exe).unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg/lookout.css"), "body{color:#123}").unwrap();
    std::fs::write(site.join("pkg/lookout.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(site.join("pkg/lookout.js"), "export default function(){}").unwrap();

    let before = std::fs::metadata(&exe).unwrap().len();
    let out =
        run_fresh_copy(std::process::Command::new(&exe).args(["bundle-site", "--site-root", site.to_str().unwrap()]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Bundled 3 site files"));
    assert!(std::fs::metadata(&exe).unwrap().len() > before);
    std::fs::remove_dir_all(&site).unwrap();

    let db = TestDb::new();
    lookout_ok(&db.url, &["demo"]);
    let mut cmd = std::process::Command::new(&exe);
    cmd.current_dir(dir.path())
        .env("LOOKOUT_DATABASE_URL", &db.url)
        .env("LOOKOUT_SITE_ROOT", dir.path().join("no-such-site"))
        .env("RUST_LOG", "warn");
    let server = ServerProcess::start(cmd, &[]);
    let client = reqwest::Client::new();
    for (file, content_type, body) in [
        ("lookout.css", "text/css", &b"body{color:#123}"[..]),
        ("lookout.wasm", "application/wasm", &b"\0asm\x01\0\0\0"[..]),
        ("lookout.js", "text/javascript", &b"export default function(){}"[..]),
    ] {
        let res = client.get(format!("{}/pkg/{file}", server.base)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{file}");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with(content_type));
        assert_eq!(&res.bytes().await.unwrap()[..], body, "{file}");
    }
    let page = client.get(format!("{}/track/demo", server.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
}

/// Runs a binary copied a moment ago. Another test of this process that starts a
/// program just then holds the copy open for writing until that program starts
/// (the kernel answers "executable file busy"), so that one error is retried.
fn run_fresh_copy(command: &mut std::process::Command) -> std::process::Output {
    for _ in 0..100 {
        match command.output() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            result => return result.expect("run the copied binary"),
        }
    }
    panic!("the copied binary stayed busy for 2 s");
}

/// A site folder named by mistake (a typo, an empty or missing build) stops
/// the start with what to do, rather than serving pages without their styles
/// and WebAssembly while `/readyz` says ready.
#[test]
fn a_named_site_folder_without_a_site_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("never.db");
    let db_url = format!("sqlite://{}", db.display());
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let a_file = dir.path().join("a-file");
    std::fs::write(&a_file, "not a folder").unwrap();
    // A folder with a pkg/ of something else, and one missing a file of the three.
    let junk = dir.path().join("junk");
    std::fs::create_dir_all(junk.join("pkg")).unwrap();
    std::fs::write(junk.join("pkg/.gitkeep"), "").unwrap();
    let half = dir.path().join("half");
    std::fs::create_dir_all(half.join("pkg")).unwrap();
    std::fs::write(half.join("pkg/lookout.css"), "body{}").unwrap();
    std::fs::write(half.join("pkg/lookout.js"), "").unwrap();
    // Nor is such a folder bundled into an executable.
    let out = dir.path().join("bundled");
    let bundled = common::lookout_command(&db_url)
        .args(["bundle-site", "--site-root"])
        .arg(&half)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&bundled.stderr);
    assert!(
        !bundled.status.success() && said.contains("missing pkg/lookout.wasm"),
        "{said}"
    );
    assert!(!out.exists());
    for site in [dir.path().join("sitee"), empty, a_file, junk, half] {
        let mut child = common::lookout_command(&db_url)
            .args(["serve", "--addr", "127.0.0.1:0", "--site-root"])
            .arg(&site)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > std::time::Duration::from_secs(30) {
                child.kill().unwrap();
                panic!("{} holds no site, and the server started anyway", site.display());
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        let mut said = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut said).unwrap();
        assert!(!status.success(), "{said}");
        assert!(
            said.contains(&format!("--site-root {}: no built site there", site.display()))
                && said.contains("lookout bundle-site"),
            "{said}"
        );
        assert!(said.contains("pkg/lookout.wasm"), "names the files a site has: {said}");
        assert!(!db.exists(), "refused before the database is opened");
    }
}
