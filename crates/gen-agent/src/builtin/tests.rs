//! Tests of the built-in agent: every command form, the questions it asks, and that what it
//! produces applies cleanly through the real reducer.

use gen_workbench::intent::EditIntent;
use gen_workbench::{Action, BlueprintDraft, Draft, Edge, Node, apply_batch};
use serde_json::json;

use super::{BuiltinTurn, interpret};

fn draft(nodes: &[(&str, &str)], edges: &[(&str, &str)]) -> Draft {
    Draft::from_blueprint(BlueprintDraft {
        title: "Pipeline".into(),
        summary: String::new(),
        nodes: nodes
            .iter()
            .map(|(id, label)| Node::new(id, label, "action"))
            .collect(),
        edges: edges.iter().map(|(s, t)| Edge::new(s, t)).collect(),
    })
    .expect("valid fixture")
}

/// build → test → deploy
fn pipeline() -> Draft {
    draft(
        &[("build", "Build"), ("test", "Test"), ("deploy", "Deploy")],
        &[("build", "test"), ("test", "deploy")],
    )
}

fn actions(d: &Draft, message: &str) -> Vec<Action> {
    match interpret(d, message) {
        BuiltinTurn::Edit(actions) => actions,
        other => panic!("{message:?} gave {other:?}"),
    }
}

/// Interprets and applies through the real reducer; every action must apply (none refused) and
/// the result must be valid.
fn run(d: &Draft, message: &str) -> Draft {
    let actions = actions(d, message);
    let result = apply_batch(d, &actions);
    assert!(
        result.report.failed.is_empty(),
        "{message:?}: {actions:?} failed: {:?}",
        result.report.failed
    );
    assert!(result.report.changed(), "{message:?} changed nothing");
    assert_eq!(result.draft.validate(), Ok(()));
    result.draft
}

fn ask(d: &Draft, message: &str) -> String {
    match interpret(d, message) {
        BuiltinTurn::Ask(question) => question,
        other => panic!("{message:?} gave {other:?}"),
    }
}

fn help(d: &Draft, message: &str) -> String {
    match interpret(d, message) {
        BuiltinTurn::Help(text) => text,
        other => panic!("{message:?} gave {other:?}"),
    }
}

fn order(d: &Draft) -> Vec<String> {
    d.nodes().map(|n| n.id.to_string()).collect()
}

fn edges(d: &Draft) -> Vec<String> {
    let mut all: Vec<String> = d
        .edges()
        .map(|e| match &e.label {
            Some(label) => format!("{}>{}:{label}", e.source, e.target),
            None => format!("{}>{}", e.source, e.target),
        })
        .collect();
    all.sort();
    all
}

fn label(d: &Draft, id: &str) -> String {
    d.node(id).map(|n| n.label.clone()).unwrap_or_default()
}

fn kind(d: &Draft, id: &str) -> String {
    d.node(id).map(|n| n.kind.clone()).unwrap_or_default()
}

fn props(d: &Draft, id: &str) -> serde_json::Value {
    d.node(id)
        .and_then(|n| n.properties.as_ref())
        .map_or(serde_json::Value::Null, |p| {
            serde_json::Value::Object(p.as_map().clone())
        })
}

// ---- add ----

#[test]
fn add_appends_an_unconnected_action_step() {
    let d = run(&pipeline(), "add Notify");
    assert_eq!(order(&d), ["build", "test", "deploy", "notify"]);
    assert_eq!(label(&d, "notify"), "Notify");
    assert_eq!(kind(&d, "notify"), "action");
    assert_eq!(edges(&d), ["build>test", "test>deploy"]);
}

#[test]
fn add_after_a_step_with_one_successor_splices_it_in() {
    let d = run(&pipeline(), "add step Lint after Build");
    assert_eq!(order(&d), ["build", "lint", "test", "deploy"]);
    assert_eq!(edges(&d), ["build>lint", "lint>test", "test>deploy"]);
}

#[test]
fn add_after_keeps_the_label_on_the_connection_leaving_the_anchor() {
    let mut d = pipeline();
    d = apply_batch(
        &d,
        &[EditIntent::Connect(gen_workbench::intent::Connect {
            source: "build".into(),
            target: "test".into(),
            label: Some("ok".into()),
        })
        .into()],
    )
    .draft;
    let d = run(&d, "add Lint after Build");
    assert_eq!(edges(&d), ["build>lint:ok", "lint>test", "test>deploy"]);
}

#[test]
fn add_after_the_last_step_just_connects_from_it() {
    let d = run(&pipeline(), "Add \"Notify\" after deploy.");
    assert_eq!(order(&d), ["build", "test", "deploy", "notify"]);
    assert_eq!(edges(&d), ["build>test", "deploy>notify", "test>deploy"]);
}

#[test]
fn add_after_a_fork_does_not_rewire() {
    let d = draft(
        &[("a", "A"), ("b", "B"), ("c", "C")],
        &[("a", "b"), ("a", "c")],
    );
    let d = run(&d, "add X after A");
    assert_eq!(order(&d), ["a", "x", "b", "c"]);
    assert_eq!(edges(&d), ["a>b", "a>c", "a>x"]);
}

#[test]
fn add_before_rewires_the_predecessors() {
    let d = run(&pipeline(), "add Lint before Test");
    assert_eq!(order(&d), ["build", "lint", "test", "deploy"]);
    assert_eq!(edges(&d), ["build>lint", "lint>test", "test>deploy"]);
}

#[test]
fn add_before_the_first_step_puts_the_new_one_first() {
    let d = run(&pipeline(), "add a trigger step Push before build");
    assert_eq!(order(&d), ["push", "build", "test", "deploy"]);
    assert_eq!(kind(&d, "push"), "trigger");
    assert_eq!(edges(&d), ["build>test", "push>build", "test>deploy"]);
}

#[test]
fn add_between_two_steps() {
    let d = run(&pipeline(), "add Scan between Test and Deploy");
    assert_eq!(order(&d), ["build", "test", "scan", "deploy"]);
    assert_eq!(edges(&d), ["build>test", "scan>deploy", "test>scan"]);
    // The reverse order of the two names means the same connection.
    let d = run(&pipeline(), "insert Scan between deploy and test");
    assert_eq!(edges(&d), ["build>test", "scan>deploy", "test>scan"]);
}

#[test]
fn add_understands_type_words_and_type_clauses() {
    let d = run(&pipeline(), "add a condition step Check after Build");
    assert_eq!(kind(&d, "check"), "condition");
    assert_eq!(label(&d, "check"), "Check");
    assert_eq!(edges(&d), ["build>check", "check>test", "test>deploy"]);

    let d = run(&pipeline(), "add action Release");
    assert_eq!(kind(&d, "release"), "action");
    assert_eq!(label(&d, "release"), "Release");

    let d = run(
        &pipeline(),
        "add Call API of type http.request after Deploy",
    );
    assert_eq!(kind(&d, "call-api"), "http.request");
    assert_eq!(label(&d, "call-api"), "Call API");
    assert_eq!(edges(&d), ["build>test", "deploy>call-api", "test>deploy"]);

    let d = run(&pipeline(), "add Hook type webhook");
    assert_eq!(kind(&d, "hook"), "webhook");

    let d = run(&Draft::new("T", "").expect("valid"), "add a trigger");
    assert_eq!(label(&d, "trigger"), "Trigger");
    assert_eq!(kind(&d, "trigger"), "trigger");
}

#[test]
fn add_takes_the_last_position_word_whose_step_exists() {
    let d = run(&pipeline(), "add Cleanup after failure after Build");
    assert_eq!(label(&d, "cleanup-after-failure"), "Cleanup after failure");
    assert_eq!(
        edges(&d),
        [
            "build>cleanup-after-failure",
            "cleanup-after-failure>test",
            "test>deploy"
        ]
    );
    let question = ask(&pipeline(), "add Run after hours");
    assert!(
        question.starts_with("I couldn't find a step called 'hours'"),
        "{question}"
    );
    assert!(question.contains("quotes"), "{question}");
    let d = run(&pipeline(), "add 'Run after hours'");
    assert_eq!(label(&d, "run-after-hours"), "Run after hours");
}

#[test]
fn new_ids_are_slugs_made_unique() {
    let d = draft(&[("deploy", "Deploy"), ("deploy-2", "Deploy again")], &[]);
    let d = run(&d, "add Deploy");
    assert_eq!(label(&d, "deploy-3"), "Deploy");

    let d = run(&pipeline(), "add Send to Slack!; add send to slack");
    assert_eq!(label(&d, "send-to-slack"), "Send to Slack");
    assert_eq!(label(&d, "send-to-slack-2"), "send to slack");

    let d = run(&pipeline(), "add 日本語");
    assert_eq!(label(&d, "step"), "日本語");
    let d = run(&pipeline(), "add Café Crème");
    assert_eq!(label(&d, "cafe-creme"), "Café Crème");

    let long = "Word ".repeat(30);
    let d = run(&pipeline(), &format!("add {long}"));
    let added = d.nodes().last().expect("added");
    assert!(added.id.as_str().len() <= 64);
    assert!(!added.id.as_str().ends_with('-'));
}

#[test]
fn add_without_a_name_asks_for_one() {
    assert!(ask(&pipeline(), "add").contains("called"));
    assert!(ask(&pipeline(), "add \"\"").contains("called"));
    assert!(ask(&pipeline(), "add a new step").contains("called"));
    assert!(ask(&pipeline(), "add step").contains("called"));
    // Names that look like filler are still names.
    assert_eq!(label(&run(&pipeline(), "add Step 2"), "step-2"), "Step 2");
    assert_eq!(label(&run(&pipeline(), "add A"), "a"), "A");
    assert_eq!(label(&run(&pipeline(), "add: A Team"), "a-team"), "A Team");
}

// ---- connect ----

#[test]
fn connect_two_steps_in_several_spellings() {
    let d = draft(&[("build", "Build"), ("deploy", "Deploy")], &[]);
    for message in [
        "connect build to deploy",
        "Connect Build -> Deploy",
        "link the Build step to the Deploy step.",
        "connect \"Build\" → 'Deploy'",
        "please connect build with deploy",
    ] {
        let after = run(&d, message);
        assert_eq!(edges(&after), ["build>deploy"], "{message}");
    }
}

#[test]
fn connect_with_a_label() {
    let d = pipeline();
    for message in [
        "connect Build to Deploy as skip tests",
        "connect Build to Deploy labelled \"skip tests\"",
        "connect Build -> Deploy with label skip tests",
        "link build to deploy labeled 'skip tests'",
    ] {
        let after = run(&d, message);
        assert!(
            edges(&after).contains(&"build>deploy:skip tests".to_string()),
            "{message}: {:?}",
            edges(&after)
        );
    }
}

#[test]
fn connect_prefers_the_split_that_names_steps() {
    let d = draft(
        &[
            ("a", "Send to Slack"),
            ("b", "Save as Draft"),
            ("c", "Done"),
        ],
        &[],
    );
    let after = run(&d, "connect Send to Slack to Save as Draft");
    assert_eq!(edges(&after), ["a>b"]);
    let after = run(&d, "connect Save as Draft to Done as finished");
    assert_eq!(edges(&after), ["b>c:finished"]);
}

#[test]
fn connect_one_step_to_several() {
    let d = draft(&[("a", "A"), ("b", "B"), ("c", "C")], &[]);
    assert_eq!(edges(&run(&d, "connect A to B and C")), ["a>b", "a>c"]);
    assert_eq!(
        edges(&run(&d, "connect A and B to C as done")),
        ["a>c:done", "b>c:done"]
    );
}

#[test]
fn connect_a_chain_of_arrows() {
    let d = draft(&[("a", "A"), ("b", "B"), ("c", "C")], &[]);
    let after = run(&d, "connect A -> B -> C");
    assert_eq!(edges(&after), ["a>b", "b>c"]);
}

#[test]
fn connecting_a_step_to_itself_is_a_question() {
    assert!(ask(&pipeline(), "connect build to build").contains("itself"));
}

#[test]
fn disconnect_removes_the_connection_either_way() {
    for message in [
        "disconnect Build from Test",
        "disconnect test and build",
        "remove the connection from Build to Test",
        "delete edge Build -> Test",
        "remove the link between Test and Build",
    ] {
        let after = run(&pipeline(), message);
        assert_eq!(edges(&after), ["test>deploy"], "{message}");
    }
    assert!(ask(&pipeline(), "disconnect Build from Deploy").contains("not connected"));
}

// ---- remove ----

#[test]
fn remove_one_step_bridges_it() {
    for message in [
        "remove test",
        "delete step Test",
        "Delete the Test step!",
        "rm 'Test'",
    ] {
        let d = run(&pipeline(), message);
        assert_eq!(order(&d), ["build", "deploy"], "{message}");
        assert_eq!(edges(&d), ["build>deploy"], "{message}");
    }
}

#[test]
fn remove_several_steps_in_one_command() {
    let d = draft(
        &[
            ("a", "Build"),
            ("b", "Lint"),
            ("c", "Test"),
            ("d", "Deploy"),
        ],
        &[("a", "b"), ("b", "c"), ("c", "d")],
    );
    for message in [
        "remove Lint and Test",
        "delete lint, test",
        "remove Lint & Test & Lint",
    ] {
        let after = run(&d, message);
        assert_eq!(order(&after), ["a", "d"], "{message}");
        assert_eq!(edges(&after), ["a>d"], "{message}");
    }
}

#[test]
fn remove_keeps_a_name_containing_and_when_such_a_step_exists() {
    let d = draft(
        &[("bt", "Build and Test"), ("b", "Build"), ("t", "Test")],
        &[],
    );
    let after = run(&d, "remove Build and Test");
    assert_eq!(order(&after), ["b", "t"]);
}

#[test]
fn remove_by_id_and_by_prefix() {
    let d = draft(&[("n1", "Fetch issues"), ("n2", "Summarise")], &[]);
    assert_eq!(order(&run(&d, "remove n2")), ["n1"]);
    assert_eq!(order(&run(&d, "remove fetch")), ["n2"]);
    assert_eq!(order(&run(&d, "remove issues")), ["n2"]);
}

// ---- rename ----

#[test]
fn rename_a_step() {
    for message in [
        "rename deploy to Release",
        "rename Deploy as Release",
        "Rename the Deploy step to \"Release\".",
    ] {
        let d = run(&pipeline(), message);
        assert_eq!(label(&d, "deploy"), "Release", "{message}");
    }
}

#[test]
fn rename_picks_the_split_whose_left_side_is_a_step() {
    let d = draft(&[("s", "Send to Slack")], &[]);
    let after = run(&d, "rename Send to Slack to Post to Slack");
    assert_eq!(label(&after, "s"), "Post to Slack");
}

#[test]
fn rename_the_workflow_sets_the_title() {
    let d = run(&pipeline(), "rename the workflow to Release train");
    assert_eq!(d.title(), "Release train");
    let d = run(&pipeline(), "set the title to Nightly");
    assert_eq!(d.title(), "Nightly");
    let d = run(&pipeline(), "set summary to Builds and ships.");
    assert_eq!(d.summary(), "Builds and ships");
}

#[test]
fn rename_without_a_new_name_asks() {
    assert!(ask(&pipeline(), "rename deploy").contains("rename"));
}

// ---- configure ----

#[test]
fn configure_with_typed_values() {
    let d = run(
        &pipeline(),
        "configure deploy with region=eu-west-1 retries=3 ratio=0.5 dry_run=true note=\"two words\" url=https://x.test/?a=b",
    );
    assert_eq!(
        props(&d, "deploy"),
        json!({
            "region": "eu-west-1",
            "retries": 3,
            "ratio": 0.5,
            "dry_run": true,
            "note": "two words",
            "url": "https://x.test/?a=b"
        })
    );
    let d = run(
        &d,
        "configure Deploy: retries = 4, region=null and tag=\"3\"",
    );
    assert_eq!(
        props(&d, "deploy"),
        json!({"retries": 4, "ratio": 0.5, "dry_run": true, "note": "two words",
               "url": "https://x.test/?a=b", "tag": "3"})
    );
}

#[test]
fn set_a_property_of_a_step() {
    for message in [
        "set region of Deploy to eu-west-1",
        "set the region on deploy = eu-west-1",
        "set region to eu-west-1 for Deploy",
        "set region=eu-west-1 on Deploy",
        "set Deploy region=eu-west-1",
    ] {
        let d = run(&pipeline(), message);
        assert_eq!(
            props(&d, "deploy"),
            json!({"region": "eu-west-1"}),
            "{message}"
        );
    }
    let d = run(&pipeline(), "set message of Deploy to Welcome to the team");
    assert_eq!(
        props(&d, "deploy"),
        json!({"message": "Welcome to the team"})
    );
    let d = run(&pipeline(), "set timeout of Deploy to 1.5e3");
    assert_eq!(props(&d, "deploy"), json!({"timeout": 1500.0}));
}

#[test]
fn set_node_fields_by_name() {
    let d = run(&pipeline(), "set type of Test to condition");
    assert_eq!(kind(&d, "test"), "condition");
    let d = run(&d, "set description of Test to Runs the unit tests");
    assert_eq!(
        d.node("test")
            .and_then(|n| n.description.clone())
            .as_deref(),
        Some("Runs the unit tests")
    );
    let d = run(&d, "unset description of Test");
    assert_eq!(d.node("test").and_then(|n| n.description.clone()), None);
    let d = run(&d, "set name of Test to Check");
    assert_eq!(label(&d, "test"), "Check");
}

#[test]
fn change_a_step_type_in_plain_words() {
    for message in [
        "make Test a condition",
        "turn the Test step into a condition step",
        "set Test to condition",
        "change type of test to condition",
    ] {
        let d = run(&pipeline(), message);
        assert_eq!(kind(&d, "test"), "condition", "{message}");
    }
}

#[test]
fn set_several_properties_in_words() {
    let d = run(
        &pipeline(),
        "set retries of Deploy to 3 and region to eu, debug to true",
    );
    assert_eq!(
        props(&d, "deploy"),
        json!({"retries": 3, "region": "eu", "debug": true})
    );
}

#[test]
fn unset_removes_properties() {
    let d = run(&pipeline(), "configure Deploy with a=1 b=2 c=3");
    let d = run(&d, "unset a and b of Deploy");
    assert_eq!(props(&d, "deploy"), json!({"c": 3}));
    let d = run(&d, "clear c from deploy");
    assert_eq!(props(&d, "deploy"), json!({}));
}

#[test]
fn configure_without_properties_asks() {
    let question = ask(&pipeline(), "configure Deploy");
    assert!(question.contains("retries=3"), "{question}");
    assert!(ask(&pipeline(), "configure deploy with retries=").contains("retries"));
}

// ---- branch ----

#[test]
fn branch_from_a_step_with_one_successor_rejoins_it() {
    let d = draft(
        &[("check", "Check"), ("notify", "Notify")],
        &[("check", "notify")],
    );
    let d = run(&d, "branch from Check to Approve and Reject");
    assert_eq!(order(&d), ["check", "notify", "approve", "reject"]);
    assert_eq!(
        edges(&d),
        [
            "approve>notify",
            "check>approve",
            "check>reject",
            "reject>notify"
        ]
    );
}

#[test]
fn branch_from_an_end_step_adds_plain_arms() {
    let d = draft(&[("check", "Check")], &[]);
    let d = run(&d, "split Check into Yes, No, Maybe");
    assert_eq!(order(&d), ["check", "yes", "no", "maybe"]);
    assert_eq!(edges(&d), ["check>maybe", "check>no", "check>yes"]);
}

#[test]
fn branch_with_an_explicit_join() {
    let d = draft(
        &[("check", "Check"), ("a", "Archive"), ("n", "Notify")],
        &[("check", "a"), ("check", "n")],
    );
    let d = run(
        &d,
        "branch from Check to Approve or Reject joining at Notify",
    );
    assert_eq!(
        edges(&d),
        [
            "approve>n",
            "check>a",
            "check>approve",
            "check>reject",
            "reject>n"
        ]
    );
}

#[test]
fn branch_arms_get_distinct_ids() {
    let d = draft(&[("check", "Check"), ("yes", "Yes")], &[]);
    let d = run(&d, "branch Check to Yes and yes");
    // With nothing after Check, the arms are plain steps placed right after it.
    assert_eq!(order(&d), ["check", "yes-2", "yes-3", "yes"]);
    assert_eq!(label(&d, "yes-3"), "yes");
}

// ---- reorder ----

#[test]
fn move_a_step_before_or_after_another() {
    let d = run(&pipeline(), "move Deploy before Build");
    assert_eq!(order(&d), ["deploy", "build", "test"]);
    let d = run(&pipeline(), "move build after test");
    assert_eq!(order(&d), ["test", "build", "deploy"]);
    let d = run(&pipeline(), "move Deploy to the top");
    assert_eq!(order(&d), ["deploy", "build", "test"]);
    let d = run(&pipeline(), "move build to the end");
    assert_eq!(order(&d), ["test", "deploy", "build"]);
    let d = run(&pipeline(), "move test up");
    assert_eq!(order(&d), ["test", "build", "deploy"]);
    // Edges are untouched by reordering.
    assert_eq!(edges(&d), ["build>test", "test>deploy"]);
}

#[test]
fn reorder_with_a_full_or_partial_list() {
    let d = run(&pipeline(), "reorder Deploy, Test, Build");
    assert_eq!(order(&d), ["deploy", "test", "build"]);
    let d = draft(&[("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")], &[]);
    let after = run(&d, "reorder D and B");
    assert_eq!(order(&after), ["a", "d", "c", "b"]);
    let after = run(&d, "order the steps: C, A");
    assert_eq!(order(&after), ["c", "b", "a", "d"]);
}

#[test]
fn moving_a_step_relative_to_itself_asks() {
    assert!(ask(&pipeline(), "move Build before build").contains("itself"));
}

// ---- undo, redo, help ----

#[test]
fn undo_redo_and_help() {
    let d = pipeline();
    assert_eq!(interpret(&d, "undo"), BuiltinTurn::Undo);
    assert_eq!(interpret(&d, "Undo that, please!"), BuiltinTurn::Undo);
    assert_eq!(interpret(&d, " REDO "), BuiltinTurn::Redo);
    let text = help(&d, "help");
    assert!(text.contains("add Deploy after Build"));
    assert!(text.lines().count() <= 14, "help stays short");
    assert!(help(&d, "").contains("add Deploy"));
    assert!(help(&d, "   \n ").contains("add Deploy"));
    assert!(help(&d, "undo; add X").contains("on its own"));
    let unknown = help(&d, "make it faster");
    assert!(
        unknown.starts_with("I didn't understand \"make it faster\""),
        "{unknown}"
    );
}

// ---- references ----

#[test]
fn ambiguous_references_ask_which_step() {
    let d = draft(
        &[("a", "Send Slack"), ("b", "Send Email"), ("c", "Archive")],
        &[],
    );
    assert_eq!(
        ask(&d, "remove send"),
        "Do you mean the 'Send Slack' step or the 'Send Email' step?"
    );
    let d = draft(&[("a", "Step 1"), ("b", "Step 2"), ("c", "Step 3")], &[]);
    assert_eq!(
        ask(&d, "remove step"),
        "Do you mean the 'Step 1' step, the 'Step 2' step or the 'Step 3' step?"
    );
    // "step 2" is a whole label, not the filler word "step" and a "2".
    assert_eq!(order(&run(&d, "remove step 2")), ["a", "c"]);
}

#[test]
fn repeated_labels_are_told_apart_by_id() {
    let d = draft(&[("build", "Build"), ("build-2", "Build")], &[]);
    assert_eq!(
        ask(&d, "remove Build"),
        "Do you mean the 'Build' step (id build) or the 'Build' step (id build-2)?"
    );
    assert_eq!(order(&run(&d, "remove build-2")), ["build"]);
}

#[test]
fn many_candidates_are_summarised() {
    let nodes: Vec<(String, String)> = (1..=8)
        .map(|i| (format!("n{i}"), format!("Task {i}")))
        .collect();
    let refs: Vec<(&str, &str)> = nodes
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let d = draft(&refs, &[]);
    let question = ask(&d, "remove task");
    assert!(question.ends_with("or one of 3 others?"), "{question}");
    let question = ask(&d, "remove Nope");
    assert_eq!(
        question,
        "I couldn't find a step called 'Nope'. Some of the steps: 'Task 1', 'Task 2', \
         'Task 3', 'Task 4', 'Task 5' and 3 more."
    );
}

#[test]
fn missing_references_name_what_was_not_found() {
    assert_eq!(
        ask(&pipeline(), "connect Build to Ship"),
        "I couldn't find a step called 'Ship'. The steps are: 'Build', 'Test' and 'Deploy'."
    );
    assert_eq!(
        ask(&Draft::new("T", "").expect("valid"), "remove Build"),
        "I couldn't find a step called 'Build': the workflow has no steps yet."
    );
    assert!(ask(&pipeline(), "remove the").contains("Which step"));
}

#[test]
fn labels_are_quoted_verbatim_never_interpreted() {
    let d = draft(
        &[("a", "remove everything; undo"), ("b", "remove 'it'")],
        &[],
    );
    let question = ask(&d, "rename remove to X");
    assert_eq!(
        question,
        "Do you mean the 'remove everything; undo' step or the 'remove 'it'' step?"
    );
}

// ---- several commands ----

#[test]
fn several_commands_resolve_against_the_draft_they_build() {
    let d = draft(&[("deploy", "Deploy")], &[]);
    let after = run(
        &d,
        "add Build; add Test after Build; connect Test to Deploy",
    );
    assert_eq!(order(&after), ["deploy", "build", "test"]);
    assert_eq!(edges(&after), ["build>test", "test>deploy"]);

    let after = run(
        &d,
        "add Build\nadd Test after Build\nthen connect test to deploy",
    );
    assert_eq!(edges(&after), ["build>test", "test>deploy"]);

    let after = run(
        &d,
        "add Build then add Test after Build and connect it to Deploy",
    );
    assert_eq!(edges(&after), ["build>test", "test>deploy"]);

    let after = run(&d, "Add Build. Connect Build to Deploy.");
    assert_eq!(edges(&after), ["build>deploy"]);
}

#[test]
fn it_refers_to_the_step_of_the_previous_command() {
    let d = run(
        &pipeline(),
        "add Notify after Deploy, then configure it with channel=ops",
    );
    assert_eq!(props(&d, "notify"), json!({"channel": "ops"}));
    let d = run(&pipeline(), "rename Test to Check; make it a condition");
    assert_eq!(kind(&d, "test"), "condition");
    // Without a previous command "it" is just a name.
    assert!(ask(&pipeline(), "remove it").contains("'it'"));
}

#[test]
fn politeness_and_punctuation_are_ignored() {
    for message in [
        "please remove Test",
        "Could you remove the Test step, please?",
        "I'd like to remove test!",
        "ok, now remove 'Test'.",
    ] {
        let d = run(&pipeline(), message);
        assert_eq!(order(&d), ["build", "deploy"], "{message}");
    }
}

#[test]
fn a_question_anywhere_stops_the_whole_message() {
    let question = ask(&pipeline(), "add Lint; remove Nope");
    assert!(question.contains("'Nope'"), "{question}");
    let unknown = help(&pipeline(), "add Lint; frobnicate");
    assert!(unknown.contains("\"frobnicate\""), "{unknown}");
}

#[test]
fn all_actions_of_a_message_form_one_batch() {
    let all = actions(
        &pipeline(),
        "add Lint after Build; rename Lint to Style; remove Test",
    );
    let result = apply_batch(&pipeline(), &all);
    assert!(result.report.failed.is_empty());
    assert_eq!(order(&result.draft), ["build", "lint", "deploy"]);
    assert_eq!(label(&result.draft, "lint"), "Style");
    assert_eq!(edges(&result.draft), ["build>lint", "lint>deploy"]);
}

#[test]
fn then_inside_quotes_does_not_split() {
    let d = run(&pipeline(), "add \"Wait then retry\" after Test");
    assert_eq!(label(&d, "wait-then-retry"), "Wait then retry");
}

#[test]
fn a_command_the_reducer_would_refuse_is_explained_not_half_applied() {
    // The splice would delete Build → Test even though the over-long step cannot be added.
    let long = "x".repeat(250);
    let question = ask(&pipeline(), &format!("add {long} after Build"));
    assert!(
        question.contains("the name is too long (at most 200 characters)"),
        "{question}"
    );
    assert!(question.ends_with("Nothing was changed."), "{question}");
    let question = ask(
        &pipeline(),
        &format!("set type of Build to {}", "t".repeat(200)),
    );
    assert!(question.contains("the type is too long"), "{question}");
    let question = ask(&pipeline(), "add Lint; rename Lint to \u{1}");
    assert!(question.contains("control character"), "{question}");
}

// ---- robustness ----

#[test]
fn long_messages_are_refused_before_parsing() {
    let text = help(&pipeline(), &"add X ".repeat(2000));
    assert!(text.contains("too long"));
    let head = "configure Build with note=";
    let exactly = format!("{head}{}", "é".repeat(4000 - head.len()));
    assert_eq!(exactly.chars().count(), 4000);
    let d = run(&pipeline(), &exactly);
    assert_eq!(
        props(&d, "build")["note"].as_str().map(str::len),
        Some(2 * (4000 - head.len()))
    );
    let over = format!("{exactly}é");
    assert!(help(&pipeline(), &over).contains("too long"));
}

#[test]
fn too_many_commands_are_refused() {
    let many = "add X; ".repeat(60);
    assert!(help(&pipeline(), &many).contains("commands"));
}

/// A small deterministic generator (xorshift), so the fuzz loop needs no extra dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let len = items.len() as u64;
        items[usize::try_from(self.next() % len).unwrap_or(0)]
    }
}

#[test]
fn interpret_never_panics_and_every_edit_applies() {
    let d = draft(
        &[
            ("build", "Build"),
            ("test", "Test"),
            ("send-slack", "Send Slack"),
            ("send-email", "Send Email"),
            ("x", "日本語 step"),
            ("q", "\"quoted\" 'label'"),
        ],
        &[
            ("build", "test"),
            ("test", "send-slack"),
            ("test", "send-email"),
        ],
    );
    let fixed = [
        "",
        " ",
        "\u{0}",
        "\"",
        "'",
        "“",
        "«",
        "`",
        "->",
        "=",
        "==>",
        ";;;",
        "then then then",
        "add",
        "add \"",
        "add ' '",
        "add \u{1}\u{7f}",
        "add \u{202e}evil",
        "connect",
        "connect ->",
        "connect -> ->",
        "connect build ->",
        "connect to",
        "rename to",
        "rename build to",
        "configure =",
        "configure build with =",
        "configure build with a==b",
        "set",
        "set of to",
        "set = on",
        "branch",
        "branch from",
        "branch build to",
        "branch build to and and ,",
        "move",
        "move up",
        "move build",
        "reorder",
        "reorder ,,,",
        "remove , and ,",
        "unset of",
        "🙂🙂🙂",
        "add 🙂",
        "ädd Ünïcödé",
        "ＡＤＤ x",
        "add x\u{2028}connect x to build",
        "add a after b after c after d",
        "add between",
        "add x between build",
        "disconnect",
        "disconnect build",
        "fan out",
        "undo undo",
        "help me",
    ];
    let words = [
        "add",
        "remove",
        "connect",
        "to",
        "and",
        "after",
        "before",
        "between",
        "rename",
        "as",
        "configure",
        "with",
        "set",
        "of",
        "on",
        "branch",
        "from",
        "into",
        "move",
        "reorder",
        "build",
        "Test",
        "send",
        "slack",
        "\"Send Slack\"",
        "'",
        "\"",
        ",",
        ";",
        "then",
        "->",
        "=",
        "x=1",
        "y=",
        "=z",
        "null",
        "true",
        "1e400",
        "-0",
        "日本語",
        "step",
        "the",
        "it",
        "type",
        "condition",
        "joining",
        "at",
        "top",
        "up",
        "undo",
        "help",
        ".",
        "?",
        "…",
        "→",
        "\t",
        "\u{200b}",
        "é",
        "9999999999999999999999",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut messages: Vec<String> = fixed.iter().map(|s| (*s).to_string()).collect();
    for _ in 0..3000 {
        let len = usize::try_from(rng.next() % 12).unwrap_or(0);
        let mut message = String::new();
        for _ in 0..len {
            message.push_str(rng.pick(&words));
            message.push_str(rng.pick(&[" ", " ", " ", "", "\n", ", "]));
        }
        messages.push(message);
    }
    // Character soup: quotes, arrows and multi-byte characters next to each other.
    let alphabet: Vec<char> = "ab x=,;.'\"`“”‘’«»→⇒->é日🙂\u{0}\u{200b}\t\n"
        .chars()
        .collect();
    for _ in 0..2000 {
        let len = usize::try_from(rng.next() % 40).unwrap_or(0);
        let soup: String = (0..len)
            .map(|_| {
                let i = usize::try_from(rng.next() % alphabet.len() as u64).unwrap_or(0);
                alphabet[i]
            })
            .collect();
        let verb = rng.pick(&[
            "add ",
            "connect ",
            "remove ",
            "set ",
            "configure build ",
            "",
        ]);
        messages.push(format!("{verb}{soup}"));
    }
    messages.push("x".repeat(10_000));
    messages.push("add ".repeat(2_500));
    messages.push(format!("add {}", "\"".repeat(3_000)));
    messages.push(format!("remove {}", "a and ".repeat(600)));
    for message in &messages {
        match interpret(&d, message) {
            BuiltinTurn::Edit(actions) => {
                assert!(!actions.is_empty(), "{message:?}");
                assert!(actions.len() <= gen_workbench::limits::MAX_ACTIONS_PER_TURN);
                let result = apply_batch(&d, &actions);
                assert!(
                    result.report.failed.is_empty(),
                    "{message:?}: {:?}",
                    result.report.failed
                );
                assert_eq!(result.draft.validate(), Ok(()), "{message:?}");
            }
            BuiltinTurn::Ask(text) | BuiltinTurn::Help(text) => {
                assert!(!text.is_empty(), "{message:?}");
            }
            BuiltinTurn::Undo | BuiltinTurn::Redo => {}
        }
    }
}

#[test]
fn adversarial_messages_on_a_large_draft_stay_bounded() {
    let nodes: Vec<Node> = (0..10_000)
        .map(|i| Node::new(&format!("n{i}"), &format!("Task {i} to do"), "action"))
        .collect();
    let edges: Vec<Edge> = (1..10_000)
        .map(|i| Edge::new(&format!("n{}", i - 1), &format!("n{i}")))
        .collect();
    let d = Draft::from_blueprint(BlueprintDraft {
        title: "Big".into(),
        summary: String::new(),
        nodes,
        edges,
    })
    .expect("valid");
    let messages = [
        format!("connect {}", "to as ".repeat(600)),
        format!(
            "connect {}",
            "task and task, task to task as task and ".repeat(90)
        ),
        format!(
            "add x between {}",
            "task and task, task to task & ".repeat(120)
        ),
        format!("add x {}", "after between and ".repeat(200)),
        format!("set {}", "of to ".repeat(600)),
        format!("remove {}", "task, ".repeat(600)),
        format!("move {}", "before after ".repeat(600)),
        "remove task".to_string(),
        "connect Task 1 to do to Task 2 to do".to_string(),
        "add Check after Task 9999 to do".to_string(),
    ];
    for message in &messages {
        let _ = interpret(&d, message);
    }
    assert!(matches!(
        interpret(&d, "connect Task 1 to do to Task 3 to do"),
        BuiltinTurn::Edit(_)
    ));
}
