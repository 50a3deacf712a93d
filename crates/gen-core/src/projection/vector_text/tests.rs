//! The splice's tests: byte-exact edits, line endings, flow mappings, indentation, refusals and the
//! read-back check, plus a property test that every splice verifies and is idempotent.

use super::layout::flow_close;
use super::*;
use crate::config::yaml;
use crate::projection::{Derived, EntryPlan, FieldPlan, Plan};

fn ts(s: &str) -> Derived {
    Derived::Time(s.parse().unwrap())
}

fn field(field: &'static str, want: Derived) -> FieldPlan {
    FieldPlan {
        field,
        want: Some(want),
    }
}

fn entry(key: &str, fields: Vec<FieldPlan>) -> EntryPlan {
    EntryPlan {
        key: key.into(),
        fields,
    }
}

/// Splices and checks, as the refresh does.
fn run(text: &str, plan: &Plan) -> Result<String, Skip> {
    let loaded = yaml::parse(text).expect("test input parses");
    let out = splice(text, &loaded.root, plan)?;
    verify(text, &loaded, &out, plan)?;
    Ok(out)
}

fn progress(key: &str) -> EntryPlan {
    entry(
        key,
        vec![
            field("status", Derived::Word("converged")),
            field("iteration", Derived::Number(2)),
            field("converged_at", ts("2026-03-01T11:00:00Z")),
        ],
    )
}

#[test]
fn only_derived_values_change_and_every_other_byte_stays() {
    let text = "\
# Vector for REQ-F-A-001 (hand-written)
feature: REQ-F-A-001
status: pending   # set by hand
e: 12345678901234567890123
b: 007
f: .inf
when: 2026-03-01
quoted: 'it''s'
dq: \"tab\\there\"
trajectory:
  # design first
  design:
    status: 'pending'
    started_at: 2026-02-01T09:00:00Z
    notes: |
      line one
      # not a comment
  code:
    status: iterating
    delta: 3 # three to go
tail: [1, 2]  # flow outside the refresh is fine
";
    let plan = Plan {
        status: Some(Derived::Word("in_progress")),
        entries: vec![
            entry(
                "design",
                vec![
                    field("status", Derived::Word("converged")),
                    field("started_at", ts("2026-01-15T08:00:00Z")),
                    field("converged_at", ts("2026-03-01T11:00:00Z")),
                ],
            ),
            entry("code", vec![field("delta", Derived::Number(0))]),
        ],
    };
    let out = run(text, &plan).expect("splices");
    assert_eq!(
        out,
        "\
# Vector for REQ-F-A-001 (hand-written)
feature: REQ-F-A-001
status: in_progress   # set by hand
e: 12345678901234567890123
b: 007
f: .inf
when: 2026-03-01
quoted: 'it''s'
dq: \"tab\\there\"
trajectory:
  # design first
  design:
    status: 'converged'
    started_at: 2026-01-15T08:00:00Z
    notes: |
      line one
      # not a comment
    converged_at: '2026-03-01T11:00:00Z'
  code:
    status: iterating
    delta: 0 # three to go
tail: [1, 2]  # flow outside the refresh is fine
"
    );
}

#[test]
fn multi_document_files_keep_their_documents() {
    let text = "# head\n---\nfeature: X\nstatus: pending\n---\n# second\ntitle: T\ntrajectory:\n  code:\n    status: pending\n...\n";
    let plan = Plan {
        status: Some(Derived::Word("converged")),
        entries: vec![progress("code"), progress("design")],
    };
    let out = run(text, &plan).expect("splices");
    assert_eq!(
        out,
        "# head\n---\nfeature: X\nstatus: converged\n---\n# second\ntitle: T\ntrajectory:\n  code:\n    status: converged\n    iteration: 2\n    converged_at: '2026-03-01T11:00:00Z'\n  design:\n    status: converged\n    iteration: 2\n    converged_at: '2026-03-01T11:00:00Z'\n...\n"
    );
    // A missing top-level key goes to the end of the last document.
    let plan = Plan {
        status: Some(Derived::Word("in_progress")),
        entries: vec![],
    };
    let out = run("a: 1\n---\nb: 2\n", &plan).expect("splices");
    assert_eq!(out, "a: 1\n---\nb: 2\nstatus: in_progress\n");
}

#[test]
fn crlf_files_stay_crlf() {
    let text = "feature: X\r\nstatus: pending\r\ntrajectory:\r\n  code:\r\n    status: pending\r\n";
    let plan = Plan {
        status: Some(Derived::Word("in_progress")),
        entries: vec![progress("code"), progress("unit_tests")],
    };
    let out = run(text, &plan).expect("splices");
    assert_eq!(
        out.matches('\n').count(),
        out.matches("\r\n").count(),
        "{out:?}"
    );
    assert!(
        out.ends_with("  unit_tests:\r\n    status: converged\r\n    iteration: 2\r\n    converged_at: '2026-03-01T11:00:00Z'\r\n"),
        "{out:?}"
    );
}

#[test]
fn mixed_files_get_their_dominant_line_ending() {
    let plan = Plan {
        status: Some(Derived::Word("in_progress")),
        entries: vec![],
    };
    // Mostly LF, one CRLF line (an editor's stray): the new line is LF.
    let out = run("feature: X\r\nowner: kim\ntitle: T\n", &plan).expect("splices");
    assert_eq!(
        out,
        "feature: X\r\nowner: kim\ntitle: T\nstatus: in_progress\n"
    );
    // Mostly CRLF, and no final line break: the last line is ended in CRLF first.
    let out = run("feature: X\r\nowner: kim\r\ntitle: T", &plan).expect("splices");
    assert_eq!(
        out,
        "feature: X\r\nowner: kim\r\ntitle: T\r\nstatus: in_progress\r\n"
    );
}

#[test]
fn flow_mappings_get_values_replaced_but_never_keys_added() {
    let text = "feature: X\ntrajectory: {code: {status: pending, iteration: 1}}\n";
    let replace_only = Plan {
        status: None,
        entries: vec![entry(
            "code",
            vec![
                field("status", Derived::Word("converged")),
                field("iteration", Derived::Number(2)),
            ],
        )],
    };
    assert_eq!(
        run(text, &replace_only).expect("replaces"),
        "feature: X\ntrajectory: {code: {status: converged, iteration: 2}}\n"
    );
    let new_entry = Plan {
        status: None,
        entries: vec![progress("design")],
    };
    let err = run(text, &new_entry).expect_err("refused");
    assert_eq!(err.reason, SkipReason::Flow("trajectory".into()));
    assert_eq!(err.pos, Some(Pos::new(2, 13)));
    assert_eq!(
        err.reason.to_string(),
        "trajectory is a flow mapping; refresh it by hand or convert it to block style"
    );
    let new_field = Plan {
        status: None,
        entries: vec![progress("code")],
    };
    let err = run(text, &new_field).expect_err("refused");
    assert_eq!(err.reason, SkipReason::Flow("trajectory.code".into()));
    let flow_root = Plan {
        status: Some(Derived::Word("in_progress")),
        entries: vec![],
    };
    assert_eq!(
        run("{feature: X}\n", &flow_root)
            .expect_err("refused")
            .reason,
        SkipReason::Flow("the document".into())
    );
}

#[test]
fn new_entries_take_the_indentation_of_their_block() {
    let text = "trajectory:\n    design:\n        status: converged\n    code:\n        status: pending\nowner: kim\n";
    let plan = Plan {
        status: None,
        entries: vec![progress("code"), progress("unit_tests")],
    };
    assert_eq!(
        run(text, &plan).expect("splices"),
        "trajectory:\n    design:\n        status: converged\n    code:\n        status: converged\n        iteration: 2\n        converged_at: '2026-03-01T11:00:00Z'\n    unit_tests:\n        status: converged\n        iteration: 2\n        converged_at: '2026-03-01T11:00:00Z'\nowner: kim\n"
    );
    // An empty or missing trajectory is opened as a block with the file's step (3 here).
    for (text, expected) in [
        (
            "feature: X\nparent:\n   feature: P\ntrajectory:\nowner: kim\n",
            "feature: X\nparent:\n   feature: P\ntrajectory:\n   code:\n      status: converged\n      iteration: 2\n      converged_at: '2026-03-01T11:00:00Z'\nowner: kim\n",
        ),
        (
            "feature: X\ntrajectory: {}  # none yet\nowner: kim\n",
            "feature: X\ntrajectory:  # none yet\n  code:\n    status: converged\n    iteration: 2\n    converged_at: '2026-03-01T11:00:00Z'\nowner: kim\n",
        ),
        (
            "feature: X\ntrajectory: ~\ntrajectory_note: x",
            "feature: X\ntrajectory:\n  code:\n    status: converged\n    iteration: 2\n    converged_at: '2026-03-01T11:00:00Z'\ntrajectory_note: x",
        ),
        (
            "feature: X",
            "feature: X\ntrajectory:\n  code:\n    status: converged\n    iteration: 2\n    converged_at: '2026-03-01T11:00:00Z'\n",
        ),
        (
            "trajectory:\n  code: {}\n",
            "trajectory:\n  code:\n    status: converged\n    iteration: 2\n    converged_at: '2026-03-01T11:00:00Z'\n",
        ),
    ] {
        let plan = Plan {
            status: None,
            entries: vec![progress("code")],
        };
        assert_eq!(run(text, &plan).expect(text), expected, "{text}");
    }
}

#[test]
fn empty_values_quotes_and_removal() {
    let plan = Plan {
        status: Some(Derived::Word("in_progress")),
        entries: vec![entry(
            "code",
            vec![
                field("status", Derived::Word("iterating")),
                field("started_at", ts("2026-03-01T10:00:00Z")),
                FieldPlan {
                    field: "converged_at",
                    want: None,
                },
            ],
        )],
    };
    let text = "status:\ntrajectory:\n  code:\n    status: \"converged\"\n    converged_at: '2026-02-01T00:00:00Z'  # stale\n    started_at: \"2026-02-01T00:00:00Z\"\n";
    assert_eq!(
        run(text, &plan).expect("splices"),
        "status: in_progress\ntrajectory:\n  code:\n    status: \"iterating\"\n    started_at: \"2026-03-01T10:00:00Z\"\n"
    );
}

#[test]
fn anchors_aliases_merge_keys_and_odd_shapes_are_refused() {
    let plan = Plan {
        status: None,
        entries: vec![progress("code")],
    };
    for (text, reason) in [
        (
            "base: &b {status: pending}\ntrajectory:\n  code: *b\n",
            SkipReason::Unusual("trajectory.code".into()),
        ),
        (
            "base: &b\n  status: pending\ntrajectory:\n  code:\n    <<: *b\n    iteration: 1\n",
            SkipReason::Merged("trajectory.code.status".into()),
        ),
        (
            "trajectory:\n  code:\n    status: &s pending\n",
            SkipReason::Unusual("trajectory.code.status".into()),
        ),
        (
            "trajectory:\n  code:\n    status: |\n      pending\n",
            SkipReason::Unusual("trajectory.code.status".into()),
        ),
        (
            "trajectory: [code]\n",
            SkipReason::Shape {
                what: "trajectory".into(),
                kind: "a list",
                expected: "a mapping",
            },
        ),
        (
            "trajectory:\n  code:\n    status: [a]\n",
            SkipReason::Shape {
                what: "trajectory.code.status".into(),
                kind: "a list",
                expected: "a single value",
            },
        ),
    ] {
        assert_eq!(run(text, &plan).expect_err(text).reason, reason, "{text}");
    }
}

#[test]
fn the_read_back_check_refuses_any_other_difference() {
    let text = "feature: X\nb: 007\nstatus: pending\n";
    let loaded = yaml::parse(text).unwrap();
    let plan = Plan {
        status: Some(Derived::Word("in_progress")),
        entries: vec![],
    };
    for bad in [
        "feature: X\nb: 7\nstatus: in_progress\n",
        "feature: X\nb: 007\nstatus: pending\n",
        "b: 007\nfeature: X\nstatus: in_progress\n",
        "feature: X\nb: 007\nstatus: in_progress\nextra: 1\n",
        "feature: X\nb: 007\nstatus: in_progress\n---\nz: 1\n",
        "feature: X\nb: [007\n",
        "feature: X\nb: 007\r\nstatus: in_progress\n",
    ] {
        let err = verify(text, &loaded, bad, &plan).expect_err(bad);
        assert!(
            matches!(err.reason, SkipReason::Mismatch(_)),
            "{bad}: {err:?}"
        );
    }
    assert!(
        verify(
            text,
            &loaded,
            "feature: X\nb: 007\nstatus: in_progress\n",
            &plan
        )
        .is_ok()
    );
}

#[test]
fn a_last_line_without_newline_gets_one_before_new_lines() {
    let plan = Plan {
        status: None,
        entries: vec![progress("code")],
    };
    assert_eq!(
        run("trajectory:\n  code:\n    status: pending", &plan).expect("splices"),
        "trajectory:\n  code:\n    status: converged\n    iteration: 2\n    converged_at: '2026-03-01T11:00:00Z'\n"
    );
}

#[test]
fn fresh_timestamps_follow_the_files_quotes() {
    let plan = Plan {
        status: None,
        entries: vec![progress("code")],
    };
    let text = "title: \"T\"\nowner: \"kim\"\ntrajectory:\n  code:\n    status: pending\n";
    assert!(
        run(text, &plan)
            .expect("splices")
            .ends_with("    converged_at: \"2026-03-01T11:00:00Z\"\n")
    );
}

const FIXTURES: &[&str] = &[
    "feature: X\nstatus: pending\n",
    "# c\nfeature: X\nstatus: 'pending'  # c\ntrajectory:\n  # c\n  requirements:\n    status: converged\n    converged_at: '2026-01-01T00:00:00Z'\n  design:\n    status: \"pending\"\n    notes: |\n      a\n      # b\n\n  code:\n    iteration: 007\n    delta: .inf\nowner: kim\n",
    "feature: X\r\ntrajectory:\r\n    code:\r\n        status: pending\r\n        started_at: 2026-01-01\r\n",
    "---\nfeature: X\n---\nstatus: pending\ntrajectory:\n  design: {status: pending, iteration: 1}\n  code:\n...\n",
    "feature: X\ntrajectory: {}\nlist:\n  - a: 1\n    b: [x, y]\n",
    "feature: X\ntrajectory:\nstatus:\nz: 1",
    "{feature: X, status: pending}\n",
    "feature: X\ntrajectory: {design: {status: pending}}\n",
    "feature: X\ntrajectory:\n  requirements:\n    status: pending\n    nested:\n      deep: 1\n      deeper: {a: 1}\n  design: ~\n",
];

fn arb_value(field: &'static str) -> impl proptest::strategy::Strategy<Value = Option<Derived>> {
    use proptest::prelude::*;
    let times = [
        "2026-03-01T11:00:00Z",
        "2026-03-01T11:00:00.5Z",
        "2025-01-01T00:00:00Z",
    ];
    match field {
        "status" => prop_oneof![
            Just(Some(Derived::Word("converged"))),
            Just(Some(Derived::Word("iterating"))),
            Just(Some(Derived::Word("pending"))),
        ]
        .boxed(),
        "iteration" | "delta" => (0i64..20).prop_map(|n| Some(Derived::Number(n))).boxed(),
        _ => prop_oneof![
            (0..times.len()).prop_map(move |i| Some(ts(times[i]))),
            Just(None),
        ]
        .boxed(),
    }
}

fn arb_entry() -> impl proptest::strategy::Strategy<Value = EntryPlan> {
    use proptest::prelude::*;
    let keys = ["requirements", "design", "code", "unit_tests", "new_asset"];
    (
        0..keys.len(),
        arb_value("status"),
        proptest::option::of(arb_value("iteration")),
        proptest::option::of(arb_value("delta")),
        proptest::option::of(arb_value("started_at")),
        proptest::option::of(arb_value("converged_at")),
    )
        .prop_map(move |(k, status, iteration, delta, started, converged)| {
            let mut fields = vec![FieldPlan {
                field: "status",
                want: status,
            }];
            for (field, want) in [
                ("iteration", iteration),
                ("delta", delta),
                ("started_at", started),
                ("converged_at", converged),
            ] {
                if let Some(want) = want {
                    fields.push(FieldPlan { field, want });
                }
            }
            entry(keys[k], fields)
        })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

    /// Any plan on any fixture either splices into a text that passes the read-back check, or is
    /// refused for a stated reason; the splicer and the check never disagree.
    #[test]
    fn the_splicer_and_the_check_agree(
        which in 0..FIXTURES.len(),
        status in proptest::option::of(proptest::prop_oneof![
            proptest::strategy::Just(Derived::Word("in_progress")),
            proptest::strategy::Just(Derived::Word("converged")),
        ]),
        entries in proptest::collection::vec(arb_entry(), 0..4),
    ) {
        let mut seen = std::collections::HashSet::new();
        let entries: Vec<EntryPlan> =
            entries.into_iter().filter(|e| seen.insert(e.key.clone())).collect();
        let plan = Plan { status, entries };
        match run(FIXTURES[which], &plan) {
            Ok(out) => {
                // A second refresh with the same plan changes nothing: not one byte.
                let again = run(&out, &plan);
                proptest::prop_assert_eq!(again.as_deref(), Ok(out.as_str()), "{:?}", plan);
            }
            Err(skip) => proptest::prop_assert!(
                !matches!(skip.reason, SkipReason::Mismatch(_)),
                "{:?} on {:?}: {skip:?}", plan, FIXTURES[which]
            ),
        }
    }
}

#[test]
fn flow_close_skips_quotes_and_comments() {
    assert_eq!(flow_close("{a: '}', b: \"]\" # }\n}x", 0), Some(21));
}
