//! MANormalizations: the controller upper-cases and/or strips accents from exported string
//! values when the connector's capabilities ask for it ("a connector cannot change data
//! provided in an attribute flow, but the controller can"). References, anchors, binary values
//! and the staged password are left alone.

use ecma2_proto::pb::{CsEntryChange, MaNormalization, attribute_value::Kind};

use crate::stage::PASSWORD_ATTRIBUTE;

/// Applies `normalizations` to every string value of `entry`.
pub fn apply(normalizations: &[MaNormalization], entry: &mut CsEntryChange) {
    let upper = normalizations.contains(&MaNormalization::Uppercase);
    let accents = normalizations.contains(&MaNormalization::RemoveAccents);
    if !upper && !accents {
        return;
    }
    for attribute in entry
        .attribute_changes
        .iter_mut()
        .filter(|a| a.name != PASSWORD_ATTRIBUTE)
    {
        for value in &mut attribute.value_changes {
            if let Some(Kind::StringValue(s)) = value.value.as_mut().and_then(|v| v.kind.as_mut()) {
                if accents {
                    *s = s.chars().map(unaccented).collect();
                }
                if upper {
                    *s = s.to_uppercase();
                }
            }
        }
    }
}

/// The letter without its accent, for the Latin letters that have one; anything else as is.
fn unaccented(c: char) -> char {
    const FROM: &str = "ÀÁÂÃÄÅàáâãäåÇçĆćČčÈÉÊËèéêëĚěÌÍÎÏìíîïÑñŃńŇňÒÓÔÕÖØòóôõöøÙÚÛÜùúûüŮůÝýÿŠšŽžŘřĎďŤť";
    const TO: &str = "AAAAAAaaaaaaCcCcCcEEEEeeeeEeIIIIiiiiNnNnNnOOOOOOooooooUUUUuuuuUuYyySsZzRrDdTt";
    FROM.chars()
        .position(|f| f == c)
        .and_then(|i| TO.chars().nth(i))
        .unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecma2_proto::pb::{AttributeChange, AttributeValue, ValueChange};

    fn entry(name: &str, text: &str) -> CsEntryChange {
        CsEntryChange {
            attribute_changes: vec![AttributeChange {
                name: name.into(),
                value_changes: vec![ValueChange {
                    value: Some(AttributeValue {
                        kind: Some(Kind::StringValue(text.into())),
                    }),
                    modification_type: 2,
                }],
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn text(e: &CsEntryChange) -> String {
        match e.attribute_changes[0].value_changes[0]
            .value
            .as_ref()
            .and_then(|v| v.kind.clone())
        {
            Some(Kind::StringValue(s)) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn remove_accents_and_uppercase_apply_to_strings_but_not_the_password() {
        let mut e = entry("title", "Naïve Señora Čapek");
        apply(&[MaNormalization::RemoveAccents], &mut e);
        assert_eq!(text(&e), "Naive Senora Capek");
        apply(&[MaNormalization::Uppercase], &mut e);
        assert_eq!(text(&e), "NAIVE SENORA CAPEK");
        let mut p = entry(PASSWORD_ATTRIBUTE, "sEcret");
        apply(&[MaNormalization::Uppercase, MaNormalization::RemoveAccents], &mut p);
        assert_eq!(text(&p), "sEcret");
    }
}
