//! At most four JS snippet files (`#[wasm_bindgen(module = "/src/js/...")]`).
//!
//! Why a count: `make test-wasm` runs the browser tests in wasm-bindgen-test-runner, whose
//! HTTP server (tiny_http 0.12) hands each connection to a pool of four threads that a
//! keep-alive connection holds until it closes. Chromium fetches the glue's snippet imports
//! in parallel, one connection each; a fifth connection at page load is, about one time in
//! four, queued behind the four that stay open, the page never finishes loading and the run
//! fails after ChromeDriver's five-minute page-load timeout. Four snippets never hung (0 of
//! 27 runs), five did in 7 of 27. A new piece of JS goes into the snippet of its concept.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

const MAX_SNIPPETS: usize = 4;

fn collect(dir: &Path, found: &mut BTreeSet<String>) {
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = fs::read_to_string(&path).expect("a source file is UTF-8");
            for (i, _) in text.match_indices("module = \"/src/js/") {
                let rest = &text[i + "module = \"".len()..];
                let end = rest.find('"').expect("the module path is closed");
                found.insert(rest[..end].to_string());
            }
        }
    }
}

#[test]
fn at_most_four_js_snippets() {
    let mut found = BTreeSet::new();
    collect(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert!(
        !found.is_empty(),
        "the scan found no snippet: the pattern is stale"
    );
    assert!(
        found.len() <= MAX_SNIPPETS,
        "{} JS snippets {:?}: the browser test runner's server starves a fifth parallel \
         connection (see this file's docs); fold the new JS into an existing snippet",
        found.len(),
        found
    );
}
