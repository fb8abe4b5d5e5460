//! Body validation as Discord does it, answering with Discord's error JSON:
//! `{"code": 50035, "message": "Invalid Form Body", "errors": {path: {"_errors": [..]}}}`.
//!
//! Limits are Discord's documented ones (message resource, embed limits,
//! component reference). Checks run on raw JSON so a malformed body is an
//! error to the caller, never a panic in the simulator.

use serde_json::{Map, Value, json};

/// One REST error as Discord returns it.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub body: Value,
}

impl ApiError {
    /// Discord's JSON error with a top-level code (e.g. 10003 Unknown Channel).
    pub fn coded(status: u16, code: u64, message: &str) -> Self {
        Self {
            status,
            body: json!({ "code": code, "message": message }),
        }
    }

    pub fn not_found() -> Self {
        Self::coded(404, 0, "404: Not Found")
    }

    pub fn unauthorized() -> Self {
        Self::coded(401, 0, "401: Unauthorized")
    }

    pub fn invalid_json() -> Self {
        Self::coded(400, 50109, "The request body contains invalid JSON.")
    }
}

/// Collects field errors under dotted paths (`embeds.0.title`).
#[derive(Default)]
pub struct FormErrors {
    errors: Vec<(String, &'static str, String)>,
}

impl FormErrors {
    pub fn push(&mut self, path: impl Into<String>, code: &'static str, message: String) {
        self.errors.push((path.into(), code, message));
    }

    fn max_len(&mut self, path: impl Into<String>, value: Option<&Value>, max: usize) {
        match value {
            Some(Value::String(s)) if s.chars().count() > max => self.push(
                path,
                "BASE_TYPE_MAX_LENGTH",
                format!("Must be {max} or fewer in length."),
            ),
            Some(Value::Array(a)) if a.len() > max => self.push(
                path,
                "BASE_TYPE_MAX_LENGTH",
                format!("Must be {max} or fewer in length."),
            ),
            _ => {}
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Discord's nested `errors` object, or `None` if nothing was wrong.
    pub fn into_error(self) -> Option<ApiError> {
        if self.errors.is_empty() {
            return None;
        }
        let mut root = Map::new();
        for (path, code, message) in self.errors {
            let mut node = &mut root;
            for part in path.split('.') {
                let entry = node
                    .entry(part.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !entry.is_object() {
                    *entry = Value::Object(Map::new());
                }
                node = match entry {
                    Value::Object(m) => m,
                    _ => unreachable!("made an object just above"),
                };
            }
            let list = node
                .entry("_errors")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(a) = list {
                a.push(json!({ "code": code, "message": message }));
            }
        }
        Some(ApiError {
            status: 400,
            body: json!({ "code": 50035, "errors": root, "message": "Invalid Form Body" }),
        })
    }
}

pub const MAX_CONTENT: usize = 2000;
pub const MAX_EMBEDS: usize = 10;
pub const MAX_EMBED_TOTAL: usize = 6000;
pub const MAX_ACTION_ROWS: usize = 5;
pub const MAX_ROW_BUTTONS: usize = 5;

/// Validate a message body (create/edit message, followup, callback data).
/// `require_something` is true where Discord refuses an empty message.
pub fn message(body: &Value, require_something: bool) -> Result<(), ApiError> {
    let Some(obj) = body.as_object() else {
        return Err(ApiError::invalid_json());
    };
    let mut e = FormErrors::default();
    if let Some(c) = obj
        .get("content")
        .filter(|c| !c.is_string() && !c.is_null())
    {
        e.push(
            "content",
            "BASE_TYPE_STRING",
            format!("Could not interpret \"{c}\" as string."),
        );
    }
    e.max_len("content", obj.get("content"), MAX_CONTENT);
    if let Some(embeds) = obj.get("embeds") {
        embeds_check(&mut e, embeds);
    }
    if let Some(components) = obj.get("components") {
        components_check(&mut e, components);
    }
    if !e.is_empty() {
        return Err(e.into_error().unwrap_or_else(ApiError::invalid_json));
    }
    let non_empty = |k: &str| match obj.get(k) {
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        _ => false,
    };
    if require_something
        && ![
            "content",
            "embeds",
            "components",
            "attachments",
            "sticker_ids",
        ]
        .iter()
        .any(|k| non_empty(k))
    {
        return Err(ApiError::coded(400, 50006, "Cannot send an empty message"));
    }
    Ok(())
}

fn embeds_check(e: &mut FormErrors, embeds: &Value) {
    let Some(list) = embeds.as_array() else {
        e.push("embeds", "BASE_TYPE_ARRAY", "Must be an array.".into());
        return;
    };
    e.max_len("embeds", Some(embeds), MAX_EMBEDS);
    let mut total = 0usize;
    for (i, embed) in list.iter().enumerate() {
        let p = format!("embeds.{i}");
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map_or(0, |s| s.chars().count());
        e.max_len(format!("{p}.title"), embed.get("title"), 256);
        e.max_len(format!("{p}.description"), embed.get("description"), 4096);
        e.max_len(format!("{p}.fields"), embed.get("fields"), 25);
        let footer = embed.get("footer").and_then(|f| f.get("text"));
        e.max_len(format!("{p}.footer.text"), footer, 2048);
        let author = embed.get("author").and_then(|a| a.get("name"));
        e.max_len(format!("{p}.author.name"), author, 256);
        total +=
            text(embed.get("title")) + text(embed.get("description")) + text(footer) + text(author);
        for (j, field) in embed
            .get("fields")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            e.max_len(format!("{p}.fields.{j}.name"), field.get("name"), 256);
            e.max_len(format!("{p}.fields.{j}.value"), field.get("value"), 1024);
            total += text(field.get("name")) + text(field.get("value"));
        }
    }
    if total > MAX_EMBED_TOTAL {
        e.push(
            "embeds",
            "MAX_EMBED_SIZE_EXCEEDED",
            "Embed size exceeds maximum size of 6000".into(),
        );
    }
}

fn components_check(e: &mut FormErrors, components: &Value) {
    let Some(rows) = components.as_array() else {
        e.push("components", "BASE_TYPE_ARRAY", "Must be an array.".into());
        return;
    };
    e.max_len("components", Some(components), MAX_ACTION_ROWS);
    for (i, row) in rows.iter().enumerate() {
        let p = format!("components.{i}");
        if row.get("type").and_then(Value::as_u64) != Some(1) {
            // Components V2 layouts are not modelled; ladderd uses action rows.
            e.push(
                format!("{p}.type"),
                "UNION_TYPE_CHOICES",
                "Value of field \"type\" must be one of (1,).".into(),
            );
            continue;
        }
        let Some(children) = row.get("components").and_then(Value::as_array) else {
            e.push(
                format!("{p}.components"),
                "BASE_TYPE_REQUIRED",
                "This field is required".into(),
            );
            continue;
        };
        let selects = children
            .iter()
            .filter(|c| {
                c.get("type")
                    .and_then(Value::as_u64)
                    .is_some_and(|t| t != 2)
            })
            .count();
        if children.is_empty()
            || children.len() > MAX_ROW_BUTTONS
            || (selects > 0 && children.len() > 1)
        {
            e.push(
                format!("{p}.components"),
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 5 in length.".into(),
            );
        }
        for (j, c) in children.iter().enumerate() {
            let q = format!("{p}.components.{j}");
            e.max_len(format!("{q}.custom_id"), c.get("custom_id"), 100);
            e.max_len(format!("{q}.label"), c.get("label"), 80);
            e.max_len(format!("{q}.placeholder"), c.get("placeholder"), 150);
            e.max_len(format!("{q}.options"), c.get("options"), 25);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_content_is_refused_with_the_field_path() {
        let err = message(&json!({ "content": "x".repeat(2001) }), true).unwrap_err();
        assert_eq!(err.status, 400);
        assert_eq!(err.body["code"], 50035);
        assert_eq!(
            err.body["errors"]["content"]["_errors"][0]["code"],
            "BASE_TYPE_MAX_LENGTH"
        );
        assert!(message(&json!({ "content": "é".repeat(2000) }), true).is_ok());
    }

    #[test]
    fn nested_embed_errors_nest_like_discord() {
        let err = message(&json!({ "embeds": [{ "title": "t".repeat(257) }] }), true).unwrap_err();
        assert!(err.body["errors"]["embeds"]["0"]["title"]["_errors"].is_array());
    }

    #[test]
    fn content_of_the_wrong_type_is_a_form_error() {
        let err = message(&json!({ "content": 5 }), true).unwrap_err();
        assert_eq!(
            err.body["errors"]["content"]["_errors"][0]["code"],
            "BASE_TYPE_STRING"
        );
    }

    #[test]
    fn empty_message_is_50006() {
        let err = message(&json!({ "content": "" }), true).unwrap_err();
        assert_eq!(err.body["code"], 50006);
        assert!(message(&json!({}), false).is_ok());
    }
}
