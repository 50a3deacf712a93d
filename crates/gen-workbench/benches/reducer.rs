//! Reducer, history and memory benchmark, with a naive peer measured side by side.
//!
//! Run with `cargo bench -p gen-workbench`. Plain `std::time` medians (no criterion). The peer is
//! what harmony and most editors do: the draft is a plain `Vec` of nodes and edges, every edit
//! clones the whole draft for the undo stack, finds nodes by linear search and re-validates the
//! whole draft. Heap numbers come from a counting global allocator (live bytes), next to the
//! library's own structural-sharing-aware estimate (`gen_workbench::footprint`).

// A benchmark measures wall time; the purity rule (clippy.toml) is for the library, not its benches.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashSet;
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use gen_workbench::{
    Action, BlueprintDraft, Draft, Edge, History, Node, Properties, apply_batch, footprint,
    parse_canvas_input,
};
use serde_json::json;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every method forwards to `System` with the same arguments and only adds bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// Repetitions per cell: 201 under `cargo bench`, a quick smoke pass under `cargo test --benches`.
static REPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(201);

fn reps() -> usize {
    REPS.load(Ordering::Relaxed)
}
const HISTORY: usize = 50;

fn blueprint(n: usize) -> BlueprintDraft {
    let nodes = (0..n)
        .map(|i| {
            let mut node = Node::new(&format!("n{i}"), &format!("Step {i}"), if i % 3 == 0 { "condition" } else { "action" });
            if i % 10 == 0 {
                node.description = Some(format!("Calls service {i} and records the outcome."));
                node.properties = Some(Properties(
                    json!({"retries": 3, "url": format!("https://svc{i}.example/api"), "tags": ["a", "b"]})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                ));
            }
            node
        })
        .collect();
    let mut edges: Vec<Edge> = (1..n)
        .map(|i| Edge::new(&format!("n{}", i - 1), &format!("n{i}")))
        .collect();
    edges.extend(
        (0..n.saturating_sub(3))
            .step_by(7)
            .map(|i| Edge::new(&format!("n{i}"), &format!("n{}", i + 3))),
    );
    BlueprintDraft {
        title: "Benchmark".into(),
        summary: "A long chain with skips.".into(),
        nodes,
        edges,
    }
}

fn action(value: serde_json::Value) -> Action {
    parse_canvas_input(value.to_string().as_bytes())
        .ok()
        .and_then(|mut a| a.pop())
        .unwrap_or_else(|| panic!("bad fixture {value}"))
}

/// A node index spread across the draft, different for each repetition.
fn pick(rep: usize, n: usize) -> usize {
    (rep * 7919 + n / 2) % (n - 10) + 5
}

type Make = fn(usize, usize) -> Action;

fn operations() -> Vec<(&'static str, Make)> {
    vec![
        ("add (append)", |rep, _| {
            action(
                json!({"intent": "add", "node": {"id": format!("new{rep}"), "label": "New", "type": "action"}}),
            )
        }),
        ("add afterNodeId + connectFrom", |rep, n| {
            let at = format!("n{}", pick(rep, n));
            action(
                json!({"intent": "add", "node": {"id": format!("new{rep}"), "label": "New", "type": "action"}, "afterNodeId": at, "connectFrom": at}),
            )
        }),
        ("remove (pass-through, bridged)", |rep, n| {
            action(json!({"intent": "remove", "nodeId": format!("n{}", pick(rep, n))}))
        }),
        ("rename", |rep, n| {
            action(
                json!({"intent": "rename", "nodeId": format!("n{}", pick(rep, n)), "label": "Renamed"}),
            )
        }),
        ("connect", |rep, n| {
            let i = pick(rep, n);
            action(
                json!({"intent": "connect", "source": format!("n{i}"), "target": format!("n{}", i - 2), "label": "back"}),
            )
        }),
        ("branch (2 arms)", |rep, n| {
            let i = pick(rep, n);
            action(
                json!({"intent": "branch", "fromNodeId": format!("n{i}"), "branches": [
                {"node": {"id": format!("y{rep}"), "label": "Yes", "type": "action"}, "connectTo": format!("n{}", i + 1)},
                {"node": {"id": format!("z{rep}"), "label": "No", "type": "action"}, "connectTo": format!("n{}", i + 2)}]}),
            )
        }),
        ("configure", |rep, n| {
            action(
                json!({"intent": "configure", "nodeId": format!("n{}", pick(rep, n)), "properties": {"retries": 5, "mode": "fast"}}),
            )
        }),
        ("reorder (full permutation)", |rep, n| {
            let mut ids: Vec<String> = (0..n).map(|i| format!("n{i}")).collect();
            ids.swap(pick(rep, n), pick(rep + 1, n));
            action(json!({"intent": "reorder", "nodeIds": ids}))
        }),
        ("deleteEdge", |rep, n| {
            let i = pick(rep, n);
            action(
                json!({"action": "deleteEdge", "source": format!("n{}", i - 1), "target": format!("n{i}")}),
            )
        }),
        ("deleteNodes (5 selected)", |rep, n| {
            let i = pick(rep, n);
            action(
                json!({"action": "deleteNodes", "nodeIds": (i..i + 5).map(|k| format!("n{k}")).collect::<Vec<_>>()}),
            )
        }),
        ("duplicateNodes (5 selected)", |rep, n| {
            let i = pick(rep, n);
            action(
                json!({"action": "duplicateNodes", "nodeIds": (i..i + 5).map(|k| format!("n{k}")).collect::<Vec<_>>()}),
            )
        }),
    ]
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

// ---------------------------------------------------------------- naive peer

/// The peer: a plain draft, deep-cloned for every snapshot.
#[derive(Clone)]
struct NaiveDraft {
    title: String,
    summary: String,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

impl NaiveDraft {
    fn from(bp: &BlueprintDraft) -> Self {
        NaiveDraft {
            title: bp.title.clone(),
            summary: bp.summary.clone(),
            nodes: bp.nodes.clone(),
            edges: bp.edges.clone(),
        }
    }

    /// Full validation: unique ids, endpoints exist, no self-loops, unique pairs.
    fn validate(&self) -> bool {
        let mut ids = HashSet::with_capacity(self.nodes.len());
        if !self.nodes.iter().all(|n| ids.insert(n.id.as_str())) {
            return false;
        }
        let mut pairs = HashSet::with_capacity(self.edges.len());
        self.edges.iter().all(|e| {
            ids.contains(e.source.as_str())
                && ids.contains(e.target.as_str())
                && e.source != e.target
                && pairs.insert((e.source.as_str(), e.target.as_str()))
        }) && !self.title.trim().is_empty()
            && self.summary.len() <= 4000
    }

    fn find(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id.as_str() == id)
    }

    /// Clone-then-mutate-then-validate, as a snapshot-stack editor does.
    fn apply(&self, action: &Action) -> Option<NaiveDraft> {
        use gen_workbench::canvas::CanvasAction as C;
        use gen_workbench::intent::EditIntent as I;
        let mut next = self.clone();
        match action {
            Action::Intent(I::Add(a)) => {
                let at = a
                    .after_node_id
                    .as_ref()
                    .and_then(|id| next.find(id.as_str()))
                    .map_or(next.nodes.len(), |i| i + 1);
                next.nodes.insert(at, a.node.clone());
                if let Some(from) = &a.connect_from {
                    next.edges.push(Edge {
                        source: from.clone(),
                        target: a.node.id.clone(),
                        label: None,
                    });
                }
            }
            Action::Intent(I::Remove(r)) => {
                let i = next.find(r.node_id.as_str())?;
                let id = next.nodes.remove(i).id;
                let ins: Vec<Edge> = next
                    .edges
                    .iter()
                    .filter(|e| e.target == id)
                    .cloned()
                    .collect();
                let outs: Vec<Edge> = next
                    .edges
                    .iter()
                    .filter(|e| e.source == id)
                    .cloned()
                    .collect();
                next.edges.retain(|e| e.source != id && e.target != id);
                if let ([p], [s]) = (ins.as_slice(), outs.as_slice())
                    && p.source != s.target
                    && !next
                        .edges
                        .iter()
                        .any(|e| e.source == p.source && e.target == s.target)
                {
                    next.edges.push(Edge {
                        source: p.source.clone(),
                        target: s.target.clone(),
                        label: p.label.clone(),
                    });
                }
            }
            Action::Intent(I::Rename(r)) => {
                let i = next.find(r.node_id.as_str())?;
                next.nodes[i].label = r.label.clone();
            }
            Action::Intent(I::Reorder(r)) => {
                let mut reordered = Vec::with_capacity(next.nodes.len());
                for id in &r.node_ids {
                    reordered.push(next.nodes[next.find(id.as_str())?].clone());
                }
                next.nodes = reordered;
            }
            Action::Intent(I::Connect(c)) => {
                match next
                    .edges
                    .iter_mut()
                    .find(|e| e.source == c.source && e.target == c.target)
                {
                    Some(e) => e.label = c.label.clone(),
                    None => next.edges.push(Edge {
                        source: c.source.clone(),
                        target: c.target.clone(),
                        label: c.label.clone(),
                    }),
                }
            }
            Action::Intent(I::Branch(b)) => {
                for arm in &b.branches {
                    next.nodes.push(arm.node.clone());
                    next.edges.push(Edge {
                        source: b.from_node_id.clone(),
                        target: arm.node.id.clone(),
                        label: None,
                    });
                    next.edges.push(Edge {
                        source: arm.node.id.clone(),
                        target: arm.connect_to.clone(),
                        label: None,
                    });
                }
            }
            Action::Intent(I::Configure(c)) => {
                let i = next.find(c.node_id.as_str())?;
                let props = next.nodes[i]
                    .properties
                    .get_or_insert_with(Properties::default);
                for (k, v) in c.properties.as_map() {
                    if v.is_null() {
                        props.0.shift_remove(k);
                    } else {
                        props.0.insert(k.clone(), v.clone());
                    }
                }
            }
            Action::Canvas(C::DeleteEdge(d)) => next
                .edges
                .retain(|e| !(e.source == d.source && e.target == d.target)),
            Action::Canvas(C::DeleteNodes(d)) => {
                let gone: HashSet<&str> = d.node_ids.iter().map(|i| i.as_str()).collect();
                next.nodes.retain(|n| !gone.contains(n.id.as_str()));
                next.edges.retain(|e| {
                    !gone.contains(e.source.as_str()) && !gone.contains(e.target.as_str())
                });
            }
            Action::Canvas(C::DuplicateNodes(d)) => {
                for id in &d.node_ids {
                    let i = next.find(id.as_str())?;
                    let mut copy = next.nodes[i].clone();
                    copy.id = format!("{}-copy", copy.id).as_str().into();
                    next.nodes.push(copy);
                }
            }
            _ => return None,
        }
        next.validate().then_some(next)
    }
}

/// The peer's undo stack: full copies.
struct NaiveHistory {
    past: Vec<NaiveDraft>,
    present: NaiveDraft,
    future: Vec<NaiveDraft>,
}

impl NaiveHistory {
    fn apply(&mut self, action: &Action) {
        if let Some(next) = self.present.apply(action) {
            self.past.push(std::mem::replace(&mut self.present, next));
            if self.past.len() > HISTORY {
                self.past.remove(0);
            }
            self.future.clear();
        }
    }

    fn undo(&mut self) -> bool {
        let Some(prev) = self.past.pop() else {
            return false;
        };
        self.future.push(std::mem::replace(&mut self.present, prev));
        true
    }

    fn redo(&mut self) -> bool {
        let Some(next) = self.future.pop() else {
            return false;
        };
        self.past.push(std::mem::replace(&mut self.present, next));
        true
    }
}

/// The edit mix used for history and memory runs.
fn edit(k: usize, n: usize) -> Action {
    let i = pick(k, n);
    match k % 5 {
        0 => action(
            json!({"intent": "rename", "nodeId": format!("n{i}"), "label": format!("Edit {k}")}),
        ),
        1 => action(
            json!({"intent": "configure", "nodeId": format!("n{i}"), "properties": {"k": k}}),
        ),
        2 => action(
            json!({"intent": "add", "node": {"id": format!("h{k}"), "label": "Added", "type": "action"}, "connectFrom": format!("n{i}")}),
        ),
        3 => action(
            json!({"intent": "connect", "source": format!("n{i}"), "target": format!("n{}", i - 3)}),
        ),
        _ => action(json!({"intent": "remove", "nodeId": format!("n{i}")})),
    }
}

fn bench_size(n: usize) {
    let bp = blueprint(n);
    let draft = Draft::from_blueprint(bp.clone()).expect("benchmark draft is valid");
    let naive = NaiveDraft::from(&bp);
    println!("\n## {n} nodes, {} edges\n", draft.edge_count());
    println!(
        "| operation | ours: apply + validate (median µs) | naive: clone + apply + full validate (median µs) | naive / ours |"
    );
    println!("|---|---:|---:|---:|");
    for (name, make) in operations() {
        let actions: Vec<Action> = (0..reps()).map(|rep| make(rep, n)).collect();
        let mut keep = Vec::with_capacity(reps());
        let ours = median(
            actions
                .iter()
                .map(|a| {
                    let batch = std::slice::from_ref(a);
                    let t = Instant::now();
                    let result = apply_batch(&draft, batch);
                    let elapsed = t.elapsed();
                    assert!(
                        result.report.changed(),
                        "{name}: {}",
                        result.report.message()
                    );
                    keep.push(result);
                    elapsed
                })
                .collect(),
        );
        drop(keep);
        let mut keep = Vec::with_capacity(reps());
        let theirs = median(
            actions
                .iter()
                .map(|a| {
                    let t = Instant::now();
                    let result = naive.apply(a);
                    let elapsed = t.elapsed();
                    assert!(result.is_some(), "naive {name}");
                    keep.push(result);
                    elapsed
                })
                .collect(),
        );
        drop(keep);
        println!(
            "| {name} | {:.1} | {:.1} | {:.1}× |",
            micros(ours),
            micros(theirs),
            micros(theirs) / micros(ours)
        );
    }

    // Full from-scratch validation, for reference (not on the edit path).
    let full = median(
        (0..21)
            .map(|_| {
                let t = Instant::now();
                black_box(draft.validate()).ok();
                t.elapsed()
            })
            .collect(),
    );
    let naive_full = median(
        (0..21)
            .map(|_| {
                let t = Instant::now();
                black_box(naive.validate());
                t.elapsed()
            })
            .collect(),
    );
    println!(
        "| (reference) `Draft::validate` from scratch (every field rule) vs naive id/edge check | {:.1} | {:.1} | |",
        micros(full),
        micros(naive_full)
    );
    // Loading or replacing a whole draft: full validation plus building the persistent form.
    let load = median(
        (0..21)
            .map(|_| {
                let copy = bp.clone();
                let t = Instant::now();
                let built = Draft::from_blueprint(copy);
                let elapsed = t.elapsed();
                black_box(built).ok();
                elapsed
            })
            .collect(),
    );
    let naive_load = median(
        (0..21)
            .map(|_| {
                let t = Instant::now();
                let built = NaiveDraft::from(&bp);
                black_box(built.validate());
                let elapsed = t.elapsed();
                black_box(built);
                elapsed
            })
            .collect(),
    );
    println!(
        "| load / replace a whole draft (`Draft::from_blueprint`) vs naive copy + check | {:.1} | {:.1} | {:.2}× |",
        micros(load),
        micros(naive_load),
        micros(naive_load) / micros(load)
    );

    // Undo / redo on a history with 50 entries.
    let mut history = History::new(draft.clone());
    let mut naive_history = NaiveHistory {
        past: Vec::new(),
        present: naive.clone(),
        future: Vec::new(),
    };
    for k in 0..HISTORY {
        let a = edit(k, n);
        history.apply(std::slice::from_ref(&a));
        naive_history.apply(&a);
    }
    let mut undo = Vec::new();
    let mut redo = Vec::new();
    let mut naive_undo = Vec::new();
    let mut naive_redo = Vec::new();
    for _ in 0..reps() {
        let t = Instant::now();
        assert!(history.undo());
        undo.push(t.elapsed());
        let t = Instant::now();
        assert!(history.redo());
        redo.push(t.elapsed());
        let t = Instant::now();
        assert!(naive_history.undo());
        naive_undo.push(t.elapsed());
        let t = Instant::now();
        assert!(naive_history.redo());
        naive_redo.push(t.elapsed());
    }
    let (u, r, nu, nr) = (
        median(undo),
        median(redo),
        median(naive_undo),
        median(naive_redo),
    );
    println!(
        "| undo (50-entry history) | {:.2} | {:.2} | {:.1}× |",
        micros(u),
        micros(nu),
        micros(nu) / micros(u)
    );
    println!(
        "| redo (50-entry history) | {:.2} | {:.2} | {:.1}× |",
        micros(r),
        micros(nr),
        micros(nr) / micros(r)
    );
    // A history push (apply + snapshot) as the server does it.
    let pushes = median(
        (0..reps())
            .map(|k| {
                let a = edit(k * 5, n); // renames only: always accepted
                let t = Instant::now();
                history.apply(std::slice::from_ref(&a));
                t.elapsed()
            })
            .collect(),
    );
    let naive_pushes = median(
        (0..reps())
            .map(|k| {
                let a = edit(k * 5, n);
                let t = Instant::now();
                naive_history.apply(&a);
                t.elapsed()
            })
            .collect(),
    );
    println!(
        "| History::apply (rename, incl. snapshot push) | {:.1} | {:.1} | {:.1}× |",
        micros(pushes),
        micros(naive_pushes),
        micros(naive_pushes) / micros(pushes)
    );
    drop(history);
    drop(naive_history);

    // Memory: one draft vs. a history of 50 edits (present + 50 snapshots).
    let base = live();
    let one = Draft::from_blueprint(bp.clone()).expect("valid");
    let one_bytes = live() - base;
    let estimate_one = footprint([&one]);
    let base = live();
    let mut history = History::new(one.clone());
    for k in 0..HISTORY {
        history.apply(std::slice::from_ref(&edit(k, n)));
    }
    // `history` shares everything of `one` (its oldest snapshot *is* `one`), so what it retains is
    // one draft plus the measured growth.
    let history_bytes = one_bytes + (live() - base);
    let estimate_history = footprint(history.snapshots());
    let base = live();
    let naive_one = NaiveDraft::from(&bp);
    let naive_one_bytes = live() - base;
    let base = live();
    let mut naive_history = NaiveHistory {
        past: Vec::new(),
        present: naive_one.clone(),
        future: Vec::new(),
    };
    for k in 0..HISTORY {
        naive_history.apply(&edit(k, n));
    }
    let naive_history_bytes = live() - base;
    assert_eq!(history.undo_len(), HISTORY);
    assert_eq!(naive_history.past.len(), HISTORY);
    let mib = |b: isize| b as f64 / (1024.0 * 1024.0);
    println!("\n| memory ({n} nodes) | ours | naive |");
    println!("|---|---:|---:|");
    println!(
        "| one draft (allocator, live bytes) | {:.2} MiB | {:.2} MiB |",
        mib(one_bytes),
        mib(naive_one_bytes)
    );
    println!(
        "| present + {HISTORY} undo snapshots (allocator) | {:.2} MiB | {:.2} MiB |",
        mib(history_bytes),
        mib(naive_history_bytes)
    );
    println!(
        "| ratio history / one draft (goal ≤ 3×) | {:.2}× | {:.2}× |",
        history_bytes as f64 / one_bytes as f64,
        naive_history_bytes as f64 / naive_one_bytes as f64
    );
    println!(
        "| `footprint()` estimate: one draft → history | {:.2} → {:.2} MiB ({:.2}×) | |",
        estimate_one.total_bytes() as f64 / 1048576.0,
        estimate_history.total_bytes() as f64 / 1048576.0,
        estimate_history.total_bytes() as f64 / estimate_one.total_bytes() as f64
    );
    black_box((&one, &history, &naive_one, &naive_history));
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (e.g. `cargo test --benches`) gets a smoke run.
    let sizes: &[usize] = if std::env::args().any(|a| a == "--bench") {
        &[1_000, 10_000]
    } else {
        REPS.store(5, Ordering::Relaxed);
        &[200]
    };
    println!(
        "# gen-workbench reducer benchmark (median of {} runs per cell)",
        reps()
    );
    for &n in sizes {
        bench_size(n);
    }
}
