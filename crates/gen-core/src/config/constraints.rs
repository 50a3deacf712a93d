//! Project constraints (`project_constraints.yml` or the plugin template) and `$var` resolution.
//!
//! Two shapes exist in real workspaces: the template's `project{name, version, default_profile}` with
//! `constraint_dimensions:`, and the installer's `project{name, kind, ...}` with `constraints:` (a filled-in
//! tenant file may even put the dimensions at the top level). Lookups tolerate all three.
//! Edge parameters refer to values here as `$tools.test_runner.command`; the reference resolves them with
//! the regex `\$(\w+(?:\.\w+)*)` as a dotted path, leaving unresolved references in place. Unlike the
//! reference, `$$` is an escape for a literal `$` (so a command can say `$$HOME`), and a value that
//! itself holds `$vars` is resolved in turn (our default constraints do that), up to a depth of 8.

use super::yaml::{self, Node, Yaml};
use super::{Diagnostic, SourceFile};

/// One `$var` reference found in a text, with its byte range (including the `$`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef {
    /// The dotted path without `$` (`tools.test_runner.command`).
    pub name: String,
    /// Byte offset of the `$`.
    pub start: usize,
    /// Byte offset just after the name.
    pub end: usize,
}

fn is_word(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Finds `$var` references as the reference regex `\$(\w+(?:\.\w+)*)` does (Unicode `\w`); a
/// trailing dot (`$standards.style_guide.`) is not part of the name, and `$$` is an escaped `$`,
/// never the start of a reference.
pub fn var_refs(text: &str) -> Vec<VarRef> {
    let mut refs = Vec::new();
    let mut search = 0;
    while let Some(rel) = text[search..].find('$') {
        let start = search + rel;
        if text[start + 1..].starts_with('$') {
            search = start + 2;
            continue;
        }
        let mut end = start + 1;
        let word_end = |from: usize| -> usize {
            text[from..]
                .char_indices()
                .find(|(_, c)| !is_word(*c))
                .map_or(text.len(), |(i, _)| from + i)
        };
        let first = word_end(end);
        if first == end {
            search = start + 1;
            continue;
        }
        end = first;
        while text[end..].starts_with('.') {
            let next = word_end(end + 1);
            if next == end + 1 {
                break;
            }
            end = next;
        }
        refs.push(VarRef {
            name: text[start + 1..end].to_string(),
            start,
            end,
        });
        search = end;
    }
    refs
}

/// The result of substituting `$vars` in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The text with every resolvable reference replaced.
    pub text: String,
    /// Names that did not resolve (left in place in `text`), in order of appearance.
    pub unresolved: Vec<String>,
}

/// Parsed project constraints with lookups that tolerate every known shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraints {
    /// The merged root mapping.
    pub root: Node,
}

impl Constraints {
    /// Parses a constraints file; only YAML failures are errors.
    pub fn parse(file: &SourceFile) -> Result<Constraints, Diagnostic> {
        Ok(Constraints::from_node(yaml::load_mapping(file)?.root))
    }

    /// Wraps an already parsed root.
    pub fn from_node(root: Node) -> Constraints {
        Constraints { root }
    }

    /// `project.name`, which `gen` shows as the project and uses as the sync `project_id` default.
    pub fn project_name(&self) -> Option<String> {
        self.lookup("project.name").and_then(Node::scalar_text)
    }

    /// `project.default_profile`, the profile new features use.
    pub fn default_profile(&self) -> Option<String> {
        self.lookup("project.default_profile")
            .and_then(Node::scalar_text)
    }

    /// The whole file as JSON, for callers that prefer `serde_json`.
    pub fn to_json(&self) -> serde_json::Value {
        self.root.to_json()
    }

    /// Follows a dotted path through nested mappings (`tools.type_checker.required`).
    pub fn lookup(&self, dotted: &str) -> Option<&Node> {
        let mut node = &self.root;
        for part in dotted.split('.') {
            node = node.get(part)?;
        }
        Some(node)
    }

    /// The project's binding for a topology constraint dimension, wherever the file keeps it:
    /// `constraint_dimensions.<d>` (template), `constraints.<d>` (installer) or `<d>` (tenant files).
    pub fn dimension(&self, name: &str) -> Option<&Node> {
        self.lookup("constraint_dimensions")
            .and_then(|n| n.get(name))
            .or_else(|| self.lookup("constraints").and_then(|n| n.get(name)))
            .or_else(|| self.root.get(name))
    }

    /// The text a reference resolves to, or `None` when it does not resolve (missing or null, as in the
    /// reference where a `None` lookup counts as unresolved).
    pub fn var_value(&self, name: &str) -> Option<String> {
        let node = self.lookup(name)?;
        match &node.value {
            Yaml::Null => None,
            Yaml::String(s) => Some(s.clone()),
            Yaml::Bool(b) => Some(b.to_string()),
            Yaml::Number(n) => Some(n.to_string()),
            Yaml::Seq(_) | Yaml::Map(_) => Some(node.to_json().to_string()),
        }
    }

    /// Substitutes every resolvable `$var` in `text`, and `$` for every `$$`. A value holding
    /// `$vars` of its own is resolved too (8 levels deep at most; deeper, or a cycle, leaves the
    /// reference unresolved).
    pub fn resolve(&self, text: &str) -> Resolved {
        self.resolve_depth(text, 0)
    }

    fn resolve_depth(&self, text: &str, depth: u32) -> Resolved {
        let mut out = String::with_capacity(text.len());
        let mut unresolved = Vec::new();
        let mut last = 0;
        for r in var_refs(text) {
            out.push_str(&text[last..r.start].replace("$$", "$"));
            let value = self.var_value(&r.name).and_then(|v| {
                if var_refs(&v).is_empty() && !v.contains("$$") {
                    return Some(v);
                }
                if depth >= 8 {
                    return None;
                }
                let inner = self.resolve_depth(&v, depth + 1);
                inner.unresolved.is_empty().then_some(inner.text)
            });
            match value {
                Some(v) => out.push_str(&v),
                None => {
                    out.push_str(&text[r.start..r.end]);
                    unresolved.push(r.name.clone());
                }
            }
            last = r.end;
        }
        out.push_str(&text[last..].replace("$$", "$"));
        Resolved {
            text: out,
            unresolved,
        }
    }

    /// [`Constraints::resolve_required`], with the references that did not resolve (an unresolved
    /// `required` counts as required, and the check it belongs to lists the name).
    pub fn resolve_required_refs(&self, value: &Node) -> (bool, Vec<String>) {
        let unresolved = match &value.value {
            Yaml::String(s) => self.resolve(s).unresolved,
            _ => Vec::new(),
        };
        (self.resolve_required(value), unresolved)
    }

    /// Evaluates a checklist `required` value: booleans as is; strings after `$var` substitution are
    /// false when they read "false", "0", "no" or "none" (any case), true otherwise.
    pub fn resolve_required(&self, value: &Node) -> bool {
        match &value.value {
            Yaml::Bool(b) => *b,
            Yaml::Null => false,
            Yaml::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
            Yaml::String(s) => {
                let text = self.resolve(s).text;
                !matches!(
                    text.trim().to_ascii_lowercase().as_str(),
                    "false" | "0" | "no" | "none"
                )
            }
            Yaml::Seq(_) | Yaml::Map(_) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn constraints(text: &str) -> Constraints {
        Constraints::parse(&SourceFile::new("context/project_constraints.yml", text))
            .expect("parse")
    }

    #[test]
    fn var_refs_follow_the_reference_regex() {
        let refs = var_refs("$tools.test_runner.command $tools.test_runner.args");
        let names: Vec<&str> = refs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["tools.test_runner.command", "tools.test_runner.args"]
        );
        assert_eq!(refs[1].start, 27);

        let names: Vec<String> =
            var_refs("Code follows $standards.style_guide. Costs $5 and $ alone; é$ünï.x")
                .into_iter()
                .map(|r| r.name)
                .collect();
        assert_eq!(names, ["standards.style_guide", "5", "ünï.x"]);
        assert!(var_refs("no vars here").is_empty());
        assert!(var_refs("$").is_empty());
        assert_eq!(var_refs("$a..b")[0].name, "a");
    }

    #[test]
    fn lookup_resolves_dotted_paths_in_the_template_shape() {
        let c = constraints(
            "project: {name: demo, default_profile: standard}\n\
             tools:\n  type_checker: {command: mypy, required: false}\n\
             thresholds: {test_coverage_minimum: 0.8}\n",
        );
        assert_eq!(c.project_name().as_deref(), Some("demo"));
        assert_eq!(c.default_profile().as_deref(), Some("standard"));
        let r = c.resolve(
            "$tools.type_checker.command --strict >= $thresholds.test_coverage_minimum $nope.x",
        );
        assert_eq!(r.text, "mypy --strict >= 0.8 $nope.x");
        assert_eq!(r.unresolved, ["nope.x"]);
    }

    #[test]
    fn required_strings_resolve_through_constraints() {
        let c =
            constraints("tools:\n  type_checker: {required: false}\n  linter: {required: true}\n");
        let root = yaml::parse(
            "a: \"$tools.type_checker.required\"\nb: \"$tools.linter.required\"\nc: \"NO\"\nd: true\ne: \"$missing\"\n",
        )
        .expect("yaml")
        .root;
        let get = |k: &str| root.get(k).expect("key").clone();
        assert!(!c.resolve_required(&get("a")));
        assert!(c.resolve_required(&get("b")));
        assert!(!c.resolve_required(&get("c")));
        assert!(c.resolve_required(&get("d")));
        assert!(c.resolve_required(&get("e")));
    }

    #[test]
    fn dimensions_are_found_in_all_three_shapes() {
        let template =
            constraints("constraint_dimensions:\n  security_model: {authentication: oauth2}\n");
        let installer = constraints(
            "project: {name: x}\nconstraints:\n  security_model: {authentication: \"\"}\n",
        );
        let tenant = constraints("security_model: {authentication: jwt}\n");
        for c in [&template, &installer, &tenant] {
            assert!(c.dimension("security_model").is_some());
            assert!(c.dimension("build_system").is_none());
        }
    }

    #[test]
    fn null_values_do_not_resolve() {
        let c = constraints("perf: {p99: null}\n");
        assert_eq!(c.var_value("perf.p99"), None);
        assert_eq!(c.resolve("$perf.p99").unresolved, ["perf.p99"]);
        assert_eq!(c.var_value("perf").as_deref(), Some("{\"p99\":null}"));
    }

    #[test]
    fn a_double_dollar_is_a_literal_dollar_and_nested_values_resolve() {
        let c = constraints(
            "tools:\n  t:\n    command: pytest\nthresholds:\n  min: 0.8\n  rule: \"coverage >= $thresholds.min\"\n  loop: \"$thresholds.loop\"\n",
        );
        let r = c.resolve("echo $$HOME $$$tools.t.command $$ $ $");
        assert_eq!(r.text, "echo $HOME $pytest $ $ $");
        assert!(r.unresolved.is_empty());
        assert!(var_refs("$$HOME").is_empty());
        let r = c.resolve("$thresholds.rule");
        assert_eq!(r.text, "coverage >= 0.8");
        let r = c.resolve("x $thresholds.loop");
        assert_eq!(
            r.unresolved,
            ["thresholds.loop"],
            "a cycle stays unresolved"
        );
        let (required, missing) =
            c.resolve_required_refs(&Node::detached(Yaml::String("$nope.req".into())));
        assert!(required);
        assert_eq!(missing, ["nope.req"]);
    }
}
