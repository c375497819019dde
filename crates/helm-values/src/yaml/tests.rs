use super::*;

fn load(text: &str) -> Result<Document, LoadError> {
    load_str(
        SourceFile::new("v.yaml", text, SourceKind::ValuesFile),
        &Limits::default(),
    )
}

fn entries(doc: &Document) -> &[Entry] {
    match &doc.root.as_ref().expect("root").kind {
        NodeKind::Map(e) => e,
        _ => panic!("not a map"),
    }
}

fn get<'a>(doc: &'a Document, key: &str) -> &'a Entry {
    entries(doc).iter().find(|e| e.key == key).expect(key)
}

fn scalar(e: &Entry) -> &Scalar {
    match &e.value.kind {
        NodeKind::Scalar(s) => s,
        k => panic!("not a scalar: {k:?}"),
    }
}

#[test]
fn positions_and_styles() {
    let doc = load("a: 1\nb:\n  c: \"yes\"\n  d: yes\n").unwrap();
    let a = get(&doc, "a");
    assert_eq!((a.key_span.start.line, a.key_span.start.column), (1, 1));
    assert_eq!((a.value.span.start.line, a.value.span.start.column), (1, 4));
    let NodeKind::Map(b) = &get(&doc, "b").value.kind else {
        panic!()
    };
    assert_eq!(b[0].value.span.start.column, 6);
    assert_eq!(b[0].value.span.slice(&doc.src.text), "\"yes\"");
    let c = match &b[0].value.kind {
        NodeKind::Scalar(s) => s,
        _ => panic!(),
    };
    assert_eq!(c.style, Style::DoubleQuoted);
    assert_eq!(c.value, HelmScalar::Str("yes".into()));
    let NodeKind::Scalar(d) = &b[1].value.kind else {
        panic!()
    };
    assert_eq!(d.value, HelmScalar::Bool(true));
    assert_eq!(
        (b[1].key_span.start.line, b[1].key_span.start.column),
        (4, 3)
    );
}

#[test]
fn keys_are_resolved_and_collapse() {
    let doc = load("y: 2\nyes: 1\non: 3\n\"n\": 4\n").unwrap();
    let keys: Vec<&str> = entries(&doc).iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["true", "n"]);
    assert_eq!(scalar(get(&doc, "true")).value, HelmScalar::Float(3.0));
    // `yes` and `on` collapse into the same key as `y`: Helm keeps the last.
    assert_eq!(doc.duplicates.len(), 2);
}

#[test]
fn duplicates_last_wins_with_path() {
    let doc = load("a:\n  b: 1\n  b: 3\n").unwrap();
    let NodeKind::Map(a) = &get(&doc, "a").value.kind else {
        panic!()
    };
    assert_eq!(a.len(), 1);
    assert_eq!(scalar(&a[0]).value, HelmScalar::Float(3.0));
    assert_eq!(doc.duplicates.len(), 1);
    assert_eq!(doc.duplicates[0].path, "a.b");
    assert_eq!(doc.duplicates[0].first.start.line, 2);
    assert_eq!(doc.duplicates[0].last.start.line, 3);
}

#[test]
fn duplicate_path_in_list() {
    let doc = load("l:\n  - x: 1\n    x: 2\n").unwrap();
    assert_eq!(doc.duplicates[0].path, "l[0].x");
}

#[test]
fn merge_keys_and_aliases() {
    let doc = load("base: &b\n  x: 1\n  y2: 2\nderived:\n  <<: *b\n  x: 5\nlist: [*b]\n").unwrap();
    let NodeKind::Map(d) = &get(&doc, "derived").value.kind else {
        panic!()
    };
    let pairs: Vec<(&str, f64)> = d
        .iter()
        .map(|e| match &e.value.kind {
            NodeKind::Scalar(Scalar {
                value: HelmScalar::Float(f),
                ..
            }) => (e.key.as_str(), *f),
            _ => panic!(),
        })
        .collect();
    assert_eq!(pairs, [("x", 5.0), ("y2", 2.0)]);
    // An explicit key after a merge is not a duplicate.
    assert!(doc.duplicates.is_empty());
    assert_eq!(doc.merge_keys.len(), 1);
    assert_eq!(doc.aliases.len(), 2);
    let NodeKind::Seq(l) = &get(&doc, "list").value.kind else {
        panic!()
    };
    assert_eq!(l[0].alias.map(|s| s.start.line), Some(7));
    assert_eq!(l[0].span.start.line, 2);
}

#[test]
fn merge_list_earlier_wins() {
    let doc = load("a: &a {k: 1}\nb: &b {k: 2}\nc:\n  <<: [*a, *b]\n").unwrap();
    let NodeKind::Map(c) = &get(&doc, "c").value.kind else {
        panic!()
    };
    assert_eq!(scalar(&c[0]).value, HelmScalar::Float(1.0));
}

#[test]
fn bad_merge_value() {
    let e = load("a: &a 1\nb:\n  <<: *a\n").unwrap_err();
    assert!(e.message.contains("merge key"), "{e}");
    assert_eq!(e.line, 3);
}

#[test]
fn billion_laughs_is_refused_quickly() {
    let mut s = String::from(
        "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..10 {
        let p = i - 1;
        s.push_str(&format!(
            "a{i}: &a{i} [*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p}]\n"
        ));
    }
    let t = std::time::Instant::now();
    let e = load(&s).unwrap_err();
    assert!(e.message.contains("excessive aliasing"), "{e}");
    assert!(t.elapsed().as_secs() < 2);
}

#[test]
fn deep_nesting_is_refused() {
    let flow = format!("a: {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let e = load(&flow).unwrap_err();
    assert!(e.message.contains("nesting is deeper than 128"), "{e}");
    let mut block = String::new();
    for i in 0..10_000 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    let e = load(&block).unwrap_err();
    assert!(e.message.contains("nesting"), "{e}");
    assert_eq!(e.line, 129);
}

#[test]
fn alias_cannot_exceed_depth() {
    // Each anchor nests the previous one deeper: the copy must respect the depth limit too.
    let mut s = String::new();
    let nest = 100;
    s.push_str(&format!(
        "a0: &a0 {}1{}\n",
        "[".repeat(nest),
        "]".repeat(nest)
    ));
    s.push_str(&format!(
        "a1: &a1 {}*a0{}\n",
        "[".repeat(nest),
        "]".repeat(nest)
    ));
    let e = load(&s).unwrap_err();
    assert!(e.message.contains("nesting"), "{e}");
}

#[test]
fn encoding_errors() {
    let l = Limits::default();
    let e = load_bytes("v.yaml", b"a: 1\nb: \xff\xfe\n", SourceKind::ValuesFile, &l).unwrap_err();
    assert!(e.message.contains("not valid UTF-8"), "{e}");
    assert_eq!(e.line, 2);
    let e = load_bytes(
        "v.yaml",
        b"\x7fELF\x02\x01\x00\x00",
        SourceKind::ValuesFile,
        &l,
    )
    .unwrap_err();
    assert!(e.message.contains("binary"), "{e}");
    let e = load_bytes("v.yaml", b"\xff\xfea\x00", SourceKind::ValuesFile, &l).unwrap_err();
    assert!(e.message.contains("UTF-16"), "{e}");
    let big = vec![b'a'; l.max_bytes + 1];
    let e = load_bytes("v.yaml", &big, SourceKind::ValuesFile, &l).unwrap_err();
    assert!(e.message.contains("limit"), "{e}");
}

#[test]
fn infinity_is_a_load_error() {
    let e = load("a:\n  b: .inf\n").unwrap_err();
    assert_eq!((e.line, e.column), (2, 6));
    assert!(e.message.contains("not a finite number"));
    // Quoted is fine.
    assert!(load("a: '.inf'\n").is_ok());
}

#[test]
fn top_level_shapes() {
    assert!(load("").unwrap().root.is_none());
    assert!(load("# only a comment\n").unwrap().root.is_none());
    assert!(load("~\n").unwrap().root.is_none());
    assert!(load("- a\n").unwrap_err().message.contains("found a list"));
    assert!(load("hello\n")
        .unwrap_err()
        .message
        .contains("found a scalar"));
    assert!(load("? [a]\n: 1\n").unwrap_err().message.contains("key"));
    let e = load("a: [1\n").unwrap_err();
    assert!(e.message.starts_with("invalid YAML"), "{e}");
}

#[test]
fn only_first_document() {
    let doc = load("a: 1\n---\nb: 2\n").unwrap();
    assert_eq!(entries(&doc).len(), 1);
}

#[test]
fn tags_and_blocks() {
    let doc = load("a: !!str 123\nb: |\n  yes\nc: !!int 017\n").unwrap();
    assert_eq!(scalar(get(&doc, "a")).value, HelmScalar::Str("123".into()));
    assert_eq!(
        scalar(get(&doc, "b")).value,
        HelmScalar::Str("yes\n".into())
    );
    assert_eq!(scalar(get(&doc, "c")).value, HelmScalar::Float(15.0));
}

#[test]
fn comments_are_kept() {
    let doc = load("# top\na: 1 # chartlint: ignore RHA001 why\n").unwrap();
    assert_eq!(doc.comments.len(), 2);
    assert!(doc.comments[0].own_line);
    assert!(!doc.comments[1].own_line);
    assert_eq!(doc.comments[1].span.start.line, 2);
    assert_eq!(doc.comments[1].text.trim(), "chartlint: ignore RHA001 why");
}
