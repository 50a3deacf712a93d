//! The read-back check: the spliced text is parsed again and compared with the original, so a
//! text that does not read back as meant is never handed out.

use super::{Skip, mismatch};
use crate::config::yaml::{Loaded, Node, Yaml};
use crate::config::yaml_text;
use crate::projection::{Derived, EntryPlan, Plan};

/// What the read-back check expects of one key.
enum Expect<'p> {
    /// Authored: equal and spelled the same.
    Same,
    /// Derived: this value.
    Value(&'p Derived),
    /// Derived and removed.
    Absent,
    /// The trajectory: entries per plan.
    Trajectory,
    /// One planned trajectory entry.
    Entry(&'p EntryPlan),
}

/// Parses `after` and checks it against `before` and the plan; see the module docs.
pub(crate) fn verify(
    before_text: &str,
    before: &Loaded,
    after_text: &str,
    plan: &Plan,
) -> Result<(), Skip> {
    let after = yaml_text::read_back(before_text, after_text).map_err(mismatch)?;
    if after.documents != before.documents {
        return Err(mismatch("the number of documents changed".into()));
    }
    let check = Check {
        before: before_text,
        after: after_text,
        plan,
    };
    let root_expect = |key: &str| -> Expect<'_> {
        match key {
            "status" => plan.status.as_ref().map_or(Expect::Same, Expect::Value),
            "trajectory" if !plan.entries.is_empty() => Expect::Trajectory,
            _ => Expect::Same,
        }
    };
    check.map("", Some(&before.root), Some(&after.root), &root_expect)?;
    if let Some(want) = &plan.status
        && !want.matches(after.root.get("status"))
    {
        return Err(mismatch(format!("`status` is not {want}")));
    }
    if !plan.entries.is_empty() && after.root.get("trajectory").is_none() {
        return Err(mismatch("`trajectory` is missing".into()));
    }
    Ok(())
}

struct Check<'a> {
    before: &'a str,
    after: &'a str,
    plan: &'a Plan,
}

impl<'a> Check<'a> {
    fn map<'p>(
        &self,
        path: &str,
        before: Option<&Node>,
        after: Option<&Node>,
        expect: &dyn Fn(&str) -> Expect<'p>,
    ) -> Result<(), Skip> {
        let name = |key: &str| {
            if path.is_empty() {
                key.to_string()
            } else {
                format!("{path}.{key}")
            }
        };
        let shown = if path.is_empty() {
            "the document"
        } else {
            path
        };
        let after = after.ok_or_else(|| mismatch(format!("{shown} is missing")))?;
        let old = before.and_then(Node::entries).unwrap_or_default();
        let new = after
            .entries()
            .ok_or_else(|| mismatch(format!("{shown} is no longer a mapping")))?;
        let had = |key: &str| old.iter().any(|e| e.key == key);
        let kept: Vec<&str> = new
            .iter()
            .map(|e| e.key.as_str())
            .filter(|k| had(k))
            .collect();
        let meant: Vec<&str> = old
            .iter()
            .map(|e| e.key.as_str())
            .filter(|k| !matches!(expect(k), Expect::Absent))
            .collect();
        if kept != meant {
            return Err(mismatch(format!(
                "the keys of {shown} changed order or went missing"
            )));
        }
        for e in old {
            let now = after.get(&e.key);
            self.one(&name(&e.key), Some(&e.value), now, expect(&e.key))?;
        }
        for e in new.iter().filter(|e| !had(&e.key)) {
            let key = name(&e.key);
            match expect(&e.key) {
                Expect::Same | Expect::Absent => {
                    return Err(mismatch(format!("unexpected new key `{key}`")));
                }
                other => self.one(&key, None, Some(&e.value), other)?,
            }
        }
        Ok(())
    }

    fn one(
        &self,
        path: &str,
        before: Option<&Node>,
        after: Option<&Node>,
        expect: Expect<'a>,
    ) -> Result<(), Skip> {
        match expect {
            Expect::Same => {
                let same = match (before, after) {
                    (Some(b), Some(a)) => same(b, self.before, a, self.after),
                    _ => false,
                };
                if !same {
                    return Err(mismatch(format!("`{path}` changed")));
                }
            }
            Expect::Value(want) => {
                if !want.matches(after) {
                    return Err(mismatch(format!("`{path}` is not {want}")));
                }
            }
            Expect::Absent => {
                if after.is_some() {
                    return Err(mismatch(format!("`{path}` is still there")));
                }
            }
            Expect::Trajectory => {
                let plan = self.plan;
                let expect = |key: &str| {
                    plan.entries
                        .iter()
                        .find(|ep| ep.key == key)
                        .map_or(Expect::Same, Expect::Entry)
                };
                self.map(path, before, after, &expect)?;
                let node = after.and_then(Node::entries).unwrap_or_default();
                if let Some(ep) = plan
                    .entries
                    .iter()
                    .find(|ep| !node.iter().any(|e| e.key == ep.key))
                {
                    return Err(mismatch(format!("`{path}.{}` is missing", ep.key)));
                }
            }
            Expect::Entry(ep) => {
                let expect = |key: &str| match ep.fields.iter().find(|f| f.field == key) {
                    Some(f) => f.want.as_ref().map_or(Expect::Absent, Expect::Value),
                    None => Expect::Same,
                };
                self.map(path, before, after, &expect)?;
                for f in &ep.fields {
                    if f.want.is_some() && after.and_then(|a| a.get(f.field)).is_none() {
                        return Err(mismatch(format!("`{path}.{}` is missing", f.field)));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Equal values with the same spelling (positions aside).
fn same(a: &Node, a_text: &str, b: &Node, b_text: &str) -> bool {
    match (&a.value, &b.value) {
        (Yaml::Map(x), Yaml::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| p.key == q.key && same(&p.value, a_text, &q.value, b_text))
        }
        (Yaml::Seq(x), Yaml::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, a_text, q, b_text))
        }
        (x, y) => x == y && spelling(a, a_text) == spelling(b, b_text),
    }
}

fn spelling<'t>(node: &Node, text: &'t str) -> Option<&'t str> {
    let (start, len) = (node.offset?, node.len?);
    text.get(start..start + len)
        .map(|s| s.trim_end_matches([' ', '\t', '\r', '\n']))
}
