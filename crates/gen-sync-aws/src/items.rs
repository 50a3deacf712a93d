//! Event items, pointers and heads as DynamoDB attribute maps, and back.

use aws_sdk_dynamodb::types::AttributeValue;
use gen_sync::{Block, EventItem, Pointer, RemoteError};
use std::collections::HashMap;

pub(crate) type Attrs = HashMap<String, AttributeValue>;

pub(crate) const PK: &str = "project_id";
pub(crate) const SK: &str = "sk";

pub(crate) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub(crate) fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub(crate) fn key(pk: impl Into<String>, sk: impl Into<String>) -> Attrs {
    HashMap::from([(PK.to_string(), s(pk)), (SK.to_string(), s(sk))])
}

pub(crate) fn pointer_pk(project: &str, origin: &str) -> String {
    format!("{project}#origin#{origin}")
}

pub(crate) fn pointer_sk(seq: u64) -> String {
    format!("seq#{seq:020}")
}

/// The one item that holds every origin's head, as attributes `o#<origin>` (N): read in one request.
pub(crate) fn heads_key(project: &str) -> Attrs {
    key(format!("{project}#heads"), "heads")
}

/// The attribute-name prefix of a head in the heads item.
pub(crate) const HEAD_PREFIX: &str = "o#";

pub(crate) fn event_attrs(item: &EventItem) -> Attrs {
    let mut attrs = key(&item.project_id, &item.sk);
    attrs.insert("event_id".into(), s(&item.event_id));
    attrs.insert("line".into(), s(&item.line));
    attrs.insert("hash".into(), s(&item.hash));
    for (name, value) in [
        ("event_type", &item.event_type),
        ("feature_id", &item.feature_id),
        ("edge", &item.edge),
        ("agent_id", &item.agent_id),
    ] {
        // An empty string cannot be an index key, so it is left out like an absent one.
        if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
            attrs.insert(name.into(), s(v));
        }
    }
    attrs.insert("origin".into(), s(&item.origin));
    attrs.insert("seq".into(), n(item.seq));
    attrs
}

/// The size DynamoDB counts against its 400 KB limit: names and values in UTF-8 bytes, a number at
/// most 21 bytes, a boolean one.
pub(crate) fn size(attrs: &Attrs) -> usize {
    attrs
        .iter()
        .map(|(name, value)| {
            name.len()
                + match value {
                    AttributeValue::S(v) => v.len(),
                    AttributeValue::N(_) => 21,
                    _ => 1,
                }
        })
        .sum()
}

fn damaged(what: &str, why: impl Into<String>) -> RemoteError {
    RemoteError::Damaged {
        what: what.to_string(),
        why: why.into(),
    }
}

fn text(attrs: &Attrs, name: &str, what: &str) -> Result<String, RemoteError> {
    match attrs.get(name) {
        Some(AttributeValue::S(v)) => Ok(v.clone()),
        Some(_) => Err(damaged(what, format!("`{name}` is not a string"))),
        None => Err(damaged(what, format!("`{name}` is missing"))),
    }
}

fn optional(attrs: &Attrs, name: &str) -> Option<String> {
    match attrs.get(name) {
        Some(AttributeValue::S(v)) => Some(v.clone()),
        _ => None,
    }
}

pub(crate) fn number(attrs: &Attrs, name: &str, what: &str) -> Result<u64, RemoteError> {
    match attrs.get(name) {
        Some(AttributeValue::N(v)) => v
            .parse()
            .map_err(|_| damaged(what, format!("`{name}` = {v} is not a sequence number"))),
        Some(_) => Err(damaged(what, format!("`{name}` is not a number"))),
        None => Err(damaged(what, format!("`{name}` is missing"))),
    }
}

pub(crate) fn event_from(attrs: &Attrs) -> Result<EventItem, RemoteError> {
    let sk = text(attrs, SK, "an event item")?;
    let what = format!("event item {sk}");
    Ok(EventItem {
        project_id: text(attrs, PK, &what)?,
        event_id: text(attrs, "event_id", &what)?,
        line: text(attrs, "line", &what)?,
        hash: text(attrs, "hash", &what)?,
        event_type: optional(attrs, "event_type"),
        feature_id: optional(attrs, "feature_id"),
        edge: optional(attrs, "edge"),
        agent_id: optional(attrs, "agent_id"),
        origin: text(attrs, "origin", &what)?,
        seq: number(attrs, "seq", &what)?,
        sk,
    })
}

/// A block as an item: `items` lists one entry per number, the event's sort key or NULL for a hole.
pub(crate) fn block_attrs(project: &str, origin: &str, block: &Block) -> Attrs {
    let mut attrs = key(pointer_pk(project, origin), pointer_sk(block.first));
    let list = block
        .pointers
        .iter()
        .map(|p| match p {
            Pointer::Item(sk) => s(sk),
            Pointer::Void => AttributeValue::Null(true),
        })
        .collect();
    attrs.insert("items".into(), AttributeValue::L(list));
    attrs
}

pub(crate) fn block_from(attrs: &Attrs, origin: &str) -> Result<Block, RemoteError> {
    let sk = text(attrs, SK, "a block")?;
    let what = format!("block {sk} of origin {origin}");
    let first = sk
        .strip_prefix("seq#")
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or_else(|| damaged(&what, "its key is not `seq#<number>`"))?;
    let Some(AttributeValue::L(list)) = attrs.get("items") else {
        return Err(damaged(&what, "`items` is missing or not a list"));
    };
    let pointers = list
        .iter()
        .map(|v| match v {
            AttributeValue::S(sk) => Ok(Pointer::Item(sk.clone())),
            AttributeValue::Null(true) => Ok(Pointer::Void),
            _ => Err(damaged(
                &what,
                "an entry of `items` is neither a key nor NULL",
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if first == 0 || pointers.is_empty() {
        return Err(damaged(&what, "it is empty or starts at 0"));
    }
    Ok(Block { first, pointers })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(feature: Option<&str>) -> EventItem {
        EventItem {
            project_id: "billing".into(),
            sk: "2026-03-01T09:00:00.000000000Z#e1".into(),
            event_id: "e1".into(),
            line: r#"{"event_id":"e1","text":"ünïcode"}"#.into(),
            hash: "abc".into(),
            event_type: Some("edge_started".into()),
            feature_id: feature.map(str::to_string),
            edge: None,
            agent_id: None,
            origin: "o-1".into(),
            seq: 7,
        }
    }

    #[test]
    fn an_event_item_comes_back_as_it_went_and_absent_fields_are_left_out() {
        let sent = item(Some("REQ-F-1"));
        let attrs = event_attrs(&sent);
        assert!(!attrs.contains_key("edge") && !attrs.contains_key("agent_id"));
        assert_eq!(event_from(&attrs).unwrap(), sent);
        // An empty feature id cannot be an index key: left out, read back as absent.
        assert!(!event_attrs(&item(Some(""))).contains_key("feature_id"));
    }

    #[test]
    fn blocks_come_back_as_they_went_and_the_size_counts_names_and_utf8_bytes() {
        let block = Block {
            first: 3,
            pointers: vec![Pointer::Item("k#1".into()), Pointer::Void],
        };
        let attrs = block_attrs("billing", "o-1", &block);
        assert_eq!(attrs[SK], s("seq#00000000000000000003"));
        assert_eq!(attrs[PK], s("billing#origin#o-1"));
        assert_eq!(block_from(&attrs, "o-1").unwrap(), block);
        let attrs = key("p", "ü");
        assert_eq!(size(&attrs), "project_id".len() + 1 + "sk".len() + 2);
        assert!(block_from(&key("p", "seq#00000000000000000001"), "o").is_err());
    }
}
