//! Property tests (a bounded fuzz run, 512 cases each, in every `cargo test`): what the host
//! decodes from engines and connectors, and its config loader, given arbitrary and generated
//! input. Nothing may panic; what decodes must mean the same as the generated messages say.

use std::path::Path;

use ecma2_host::config::HostConfig;
use ecma2_host::relay::{RelayExportFrame, RelayFrame};
use ecma2_proto::pb::*;
use proptest::prelude::*;
use prost::Message;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn entry() -> impl Strategy<Value = CsEntryChange> {
    (".{0,40}", ".{0,80}", ".{0,20}", any::<i32>()).prop_map(|(object_type, dn, anchor, kind)| CsEntryChange {
        object_type,
        dn,
        object_modification_type: kind.rem_euclid(4),
        anchor_attributes: vec![AnchorAttribute {
            name: "id".into(),
            data_type: 1,
            value: Some(AttributeValue {
                kind: Some(attribute_value::Kind::StringValue(anchor)),
            }),
        }],
        ..Default::default()
    })
}

fn fragment() -> impl Strategy<Value = EntryFragment> {
    (proptest::collection::vec(any::<u8>(), 0..256), any::<bool>()).prop_map(|(data, last)| EntryFragment {
        data: data.into(),
        last,
    })
}

fn page_frame() -> impl Strategy<Value = GetImportEntriesResponse> {
    use get_import_entries_response::Frame;
    prop_oneof![
        entry().prop_map(|e| Some(Frame::Entry(e))),
        fragment().prop_map(|f| Some(Frame::EntryFragment(f))),
        (".{0,40}", any::<bool>()).prop_map(|(custom_data, more_to_import)| Some(Frame::Results(
            GetImportEntriesResults {
                custom_data,
                more_to_import
            }
        ))),
        Just(None),
    ]
    .prop_map(|frame| GetImportEntriesResponse { frame })
}

fn batch_frame() -> impl Strategy<Value = PutExportEntriesRequest> {
    use put_export_entries_request::Frame;
    (
        ".{0,40}",
        prop_oneof![
            entry().prop_map(|e| Some(Frame::Entry(e))),
            fragment().prop_map(|f| Some(Frame::EntryFragment(f))),
            Just(None),
        ],
    )
        .prop_map(|(session_id, frame)| PutExportEntriesRequest { session_id, frame })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn relayed_page_frames_keep_their_bytes_and_meaning(frame in page_frame()) {
        let wire = frame.encode_to_vec();
        let relayed = RelayFrame::decode(wire.as_slice()).expect("a valid frame decodes");
        prop_assert_eq!(relayed.encode_to_vec(), wire);
        prop_assert_eq!(relayed.decode_entry().expect("its entry decodes"), frame);
    }

    #[test]
    fn relayed_batch_frames_keep_their_bytes(frame in batch_frame()) {
        let wire = frame.encode_to_vec();
        let relayed = RelayExportFrame::decode(wire.as_slice()).expect("a valid frame decodes");
        prop_assert_eq!(relayed.encode_to_vec(), wire.clone());
        prop_assert_eq!(RelayExportFrame::from(frame), relayed);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_relay_decoders(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let full = GetImportEntriesResponse::decode(bytes.as_slice());
        if let Ok(relayed) = RelayFrame::decode(bytes.as_slice()) {
            // Same frame kind whichever way it is read; an entry that does not decode is an
            // error naming it, never a panic.
            let kind = |f: &GetImportEntriesResponse| f.frame.as_ref().map(std::mem::discriminant);
            match relayed.decode_entry() {
                Ok(decoded) => {
                    if let Ok(full) = &full {
                        prop_assert_eq!(kind(full), kind(&decoded));
                    }
                }
                Err(status) => prop_assert!(status.message().contains("does not decode")),
            }
        } else {
            prop_assert!(full.is_err(), "the generated message decodes what the relay frame refuses");
        }
        let _ = RelayExportFrame::decode(bytes.as_slice());
        let _ = Fault::from_status(&tonic::Status::with_details(tonic::Code::Internal, "x", bytes.into()));
    }

    #[test]
    fn arbitrary_config_text_is_refused_naming_the_file(text in "(?s).{0,400}") {
        let file = Path::new("/etc/ecma2/host.toml");
        if let Err(e) = HostConfig::parse(file, &text) {
            prop_assert!(e.to_string().contains("/etc/ecma2/host.toml"), "{}", e);
        }
    }

    #[test]
    fn generated_configs_are_valid_or_name_their_key(
        names in proptest::collection::vec("[a-zA-Z0-9._-]{0,6}", 1..4),
        durations in proptest::collection::vec("[0-9]{0,22}(ms|s|m|h|d|days|x|)", 8),
        transport in prop_oneof![Just("unix"), Just("tcp"), Just("udp")],
        listen in prop_oneof![Just("tcp:127.0.0.1:0"), Just("tcp:0.0.0.0:1"), Just("unix:/tmp/e.sock"), Just("nope")],
    ) {
        const KEYS: [&str; 7] = [
            "start_timeout", "call_deadline", "session_idle_timeout", "close_grace",
            "restart_backoff", "crash_window", "health_interval",
        ];
        let mut text = format!("[engine]\nlisten = {listen:?}\n");
        for (i, name) in names.iter().enumerate() {
            text.push_str(&format!(
                "[[connector]]\nname = {name:?}\ncommand = \"b\"\ntransport = {transport:?}\n[connector.limits]\n{} = {:?}\n",
                KEYS[i % KEYS.len()],
                durations[i],
            ));
        }
        match HostConfig::parse(Path::new("/etc/ecma2/host.toml"), &text) {
            Ok(config) => {
                prop_assert!(config.state_dir.is_absolute());
                let mut lower: Vec<_> = config.connectors.iter().map(|c| c.name.to_ascii_lowercase()).collect();
                lower.sort();
                lower.dedup();
                prop_assert_eq!(lower.len(), config.connectors.len());
                for c in &config.connectors {
                    let l = &c.limits;
                    for d in [l.start_timeout, l.call_deadline, l.session_idle_timeout, l.close_grace,
                              l.restart_backoff, l.crash_window, l.health_interval] {
                        prop_assert!(!d.is_zero() && d <= ecma2_host::config::duration::MAX);
                    }
                }
            }
            Err(e) => {
                let e = e.to_string();
                prop_assert!(
                    ["connector", "engine.listen", "transport"].iter().chain(&KEYS).any(|k| e.contains(k)),
                    "{}", e
                );
            }
        }
    }
}
