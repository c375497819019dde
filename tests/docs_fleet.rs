//! docs/fleet.md shows real output: every section between `<!-- BEGIN output: ... -->` and
//! `<!-- END output -->` equals what the command prints (`run CMD`, run from the repository
//! root) or the file `chartgen fleet docs/examples/fleet.yaml` writes (`file PATH`).
//! `UPDATE_DOCS=1` rewrites the sections instead of failing.

use std::path::PathBuf;
use std::process::Command;

use testkit::{run, TOOL_TIMEOUT};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const BEGIN: &str = "<!-- BEGIN output: ";
const END: &str = "<!-- END output -->";

fn expected(spec: &str, out: &std::path::Path) -> String {
    if let Some(file) = spec.strip_prefix("file ") {
        let text = std::fs::read_to_string(out.join(file)).expect("generated file");
        return format!("```yaml\n{text}```\n");
    }
    let cmd = spec.strip_prefix("run ").expect("`run CMD` or `file PATH`");
    let mut words = cmd.split_whitespace();
    let program = match words.next() {
        Some("chartgen") => env!("CARGO_BIN_EXE_chartgen"),
        Some("chartlint") => env!("CARGO_BIN_EXE_chartlint"),
        other => panic!("unknown program {other:?}"),
    };
    let mut c = Command::new(program);
    c.current_dir(root()).args(words);
    let o = run(&mut c, TOOL_TIMEOUT);
    assert!(o.code == Some(0) || o.code == Some(1), "{}", o.describe());
    format!("```text\n$ {cmd}\n{}```\n", o.stdout)
}

#[test]
fn docs_fleet_md_shows_real_output() {
    let path = root().join("docs/fleet.md");
    let doc = std::fs::read_to_string(&path).expect("docs/fleet.md");
    let dir = testkit::temp_dir();
    std::os::unix::fs::symlink(
        root().join("generated-charts"),
        dir.path().join("generated-charts"),
    )
    .expect("symlink");
    let out = dir.path().join("deploy");
    let mut c = Command::new(env!("CARGO_BIN_EXE_chartgen"));
    c.arg("--root")
        .arg(root())
        .arg("fleet")
        .arg(root().join("docs/examples/fleet.yaml"))
        .arg("--out")
        .arg(&out);
    let o = run(&mut c, TOOL_TIMEOUT);
    assert!(o.success(), "{}", o.describe());

    let mut rewritten = String::new();
    let mut stale = Vec::new();
    let mut rest = doc.as_str();
    let mut sections = 0;
    while let Some(start) = rest.find(BEGIN) {
        let header_end = start + rest[start..].find("-->").expect("closed marker") + 3;
        let spec = rest[start + BEGIN.len()..header_end - 3].trim().to_string();
        let body_start = header_end + 1;
        let end = body_start + rest[body_start..].find(END).expect("END marker");
        let want = expected(&spec, &out);
        if rest[body_start..end] != want {
            stale.push(spec);
        }
        rewritten.push_str(&rest[..body_start]);
        rewritten.push_str(&want);
        rest = &rest[end..];
        sections += 1;
    }
    rewritten.push_str(rest);
    assert!(sections >= 5, "only {sections} generated sections");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, rewritten).expect("write docs/fleet.md");
        return;
    }
    assert!(
        stale.is_empty(),
        "docs/fleet.md differs from the real output of: {stale:?}\nrun UPDATE_DOCS=1 cargo test -p chartgen --test docs_fleet"
    );
}
