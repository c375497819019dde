use super::{directives, read_line, refusal_finding};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;
use model::directives::{Catalogue, Refusal};

rule! {
    id: "RHA155",
    name: "invalid-directive-arguments",
    severity: Error,
    category: Redis,
    summary: "A redis.conf line with the wrong number of arguments, unbalanced quotes, or a value its directive's own parser refuses (save, replicaof, ...): the server refuses to start.",
    doc: r#"
### What it checks
Splits every rendered `redis.config` line as the server does (`sdssplitargs`: blanks separate
arguments, quotes group them) and checks it against the directive catalogue of every server
version the image may run: a single-value directive needs exactly one argument, and the
directives with a parser of their own check theirs (`save` takes pairs of seconds and changes,
`replicaof` a host and a port or `no one`, `oom-score-adj-values` three numbers from -2000 to
2000). `client-output-buffer-limit` has its own rule (RHA127).

### Why it matters
The chart writes the value as it is, so `maxmemory: 1 gb` becomes `maxmemory 1 gb`: three
arguments, and the server stops with "wrong number of arguments"; `save: "900"` stops it with
"Invalid save parameters". The pods crash-loop. The catalogues and the parser are checked
against the real servers by tests/differential.rs.

### Example
```yaml
redis:
  config:
    maxmemory: 1 gb
    save: "900"
```

### Fix
Write one value per single-value directive (`maxmemory: 1gb`), and the argument list the
directive expects (`save: "900 1"`).

### References
- redis.conf of each release: https://github.com/redis/redis/blob/7.2.6/redis.conf
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for d in directives(cx, "redis") {
        if d.key.eq_ignore_ascii_case("client-output-buffer-limit") {
            continue;
        }
        let reading = read_line(cx, d);
        let pick = |_: &Catalogue, r: &Refusal| {
            matches!(
                r,
                Refusal::WrongArity | Refusal::UnbalancedQuotes | Refusal::Invalid(_)
            )
        };
        if let Some(diag) = refusal_finding(&META, cx, d, reading, pick, "arguments the server does not read", false) {
            out.push(diag.with_help(format!("check the arguments `{}` takes", d.key)));
        }
    }
}
