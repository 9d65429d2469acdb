//! The configuration interfaces: capabilities (plain and Ex), parameter pages and their
//! validation, schema, partitions and hierarchy.

use ecma2_proto::pb::*;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capabilities_describe_an_ldap_directory_and_the_check_box_changes_export_type() {
    let mut h = InProcess::start().await;
    let caps = h
        .client
        .get_capabilities(GetCapabilitiesRequest {})
        .await
        .unwrap()
        .into_inner()
        .capabilities
        .unwrap();
    assert_eq!(caps.distinguished_name_style(), MaDistinguishedNameStyle::Ldap);
    assert_eq!(caps.export_type(), MaExportType::AttributeUpdate);
    assert_eq!(caps.object_confirmation(), MaObjectConfirmation::Normal);
    assert_eq!(caps.delta_import, Some(true));
    assert_eq!(caps.object_rename, Some(true));
    for (flag, name) in [
        (caps.support_partitions, "partitions"),
        (caps.support_hierarchy, "hierarchy"),
        (caps.support_password, "password"),
        (caps.support_import, "import"),
        (caps.support_export, "export"),
    ] {
        assert_eq!(flag, Some(true), "{name}");
    }
    let ex = |checked: &str| GetCapabilitiesExRequest {
        config_parameters: vec![param("export_attribute_replace", checked)],
    };
    let on = h
        .client
        .get_capabilities_ex(ex("1"))
        .await
        .unwrap()
        .into_inner()
        .capabilities
        .unwrap();
    assert_eq!(on.export_type(), MaExportType::AttributeReplace);
    let off = h
        .client
        .get_capabilities_ex(ex("0"))
        .await
        .unwrap()
        .into_inner()
        .capabilities
        .unwrap();
    assert_eq!(off.export_type(), MaExportType::AttributeUpdate);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_has_parameters_and_schema_pages_end_with_an_empty_one() {
    let mut h = InProcess::start().await;
    for page in [
        ConfigParameterPage::Connectivity,
        ConfigParameterPage::Global,
        ConfigParameterPage::RunStep,
        ConfigParameterPage::Partition,
        ConfigParameterPage::Capabilities,
    ] {
        let plain = h
            .client
            .get_config_parameters(GetConfigParametersRequest {
                config_parameters: vec![],
                page: page as i32,
            })
            .await
            .unwrap()
            .into_inner()
            .definitions;
        assert!(plain.iter().any(|d| !d.name.is_empty()), "{page:?} has no parameter");
        let ex = h
            .client
            .get_config_parameters_ex(GetConfigParametersExRequest {
                config_parameters: vec![],
                page: page as i32,
                page_number: 1,
            })
            .await
            .unwrap()
            .into_inner()
            .definitions;
        assert_eq!(plain, ex, "{page:?}: Ex page 1 equals the plain page");
    }
    let connectivity = h
        .client
        .get_config_parameters(GetConfigParametersRequest {
            config_parameters: vec![],
            page: ConfigParameterPage::Connectivity as i32,
        })
        .await
        .unwrap()
        .into_inner()
        .definitions;
    let names: Vec<&str> = connectivity.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["database", "seed_users", "access_key"]);
    let mut schema_pages = Vec::new();
    for number in 1.. {
        let page = h
            .client
            .get_config_parameters_ex(GetConfigParametersExRequest {
                config_parameters: vec![],
                page: ConfigParameterPage::Schema as i32,
                page_number: number,
            })
            .await
            .unwrap()
            .into_inner()
            .definitions;
        if page.is_empty() {
            break;
        }
        assert!(number < 10, "the schema pages never end");
        schema_pages.push(page);
    }
    assert_eq!(schema_pages.len(), 2, "two schema pages, then an empty one");
    let check_box = schema_pages[0].iter().find(|d| d.name == "schema_hide_photo").unwrap();
    assert_eq!(check_box.r#type(), ConfigParameterType::CheckBox);
    assert_eq!(check_box.default_value, "0");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_failures_name_the_parameter() {
    let mut h = InProcess::start().await;
    let dir = h.files.dir.path().to_owned();
    let db = dir.join("x.db").display().to_string();
    let cases: Vec<(ConfigParameterPage, Vec<ConfigParameter>, Option<&str>)> = vec![
        (ConfigParameterPage::Connectivity, vec![], Some("database")),
        (
            ConfigParameterPage::Connectivity,
            vec![param("database", "/no/such/folder/x.db")],
            Some("database"),
        ),
        (
            ConfigParameterPage::Connectivity,
            vec![param("database", &db), param("seed_users", "ten")],
            Some("seed_users"),
        ),
        (
            ConfigParameterPage::Connectivity,
            vec![param("database", &db), param("seed_users", "-1")],
            Some("seed_users"),
        ),
        (
            ConfigParameterPage::Connectivity,
            vec![param("database", &db), param("seed_users", "10")],
            None,
        ),
        (
            ConfigParameterPage::Global,
            vec![param("test_panic_on", "Nope")],
            Some("test_panic_on"),
        ),
        (
            ConfigParameterPage::Global,
            vec![param("test_panic_on", "GetSchema")],
            None,
        ),
        (
            ConfigParameterPage::RunStep,
            vec![param("test_block_get_ms", "soon")],
            Some("test_block_get_ms"),
        ),
        (
            ConfigParameterPage::Capabilities,
            vec![param("export_attribute_replace", "yes")],
            Some("export_attribute_replace"),
        ),
        (ConfigParameterPage::Partition, vec![param("import_groups", "1")], None),
    ];
    for (page, params, at_fault) in cases {
        let plain = h
            .client
            .validate_config_parameters(ValidateConfigParametersRequest {
                config_parameters: params.clone(),
                page: page as i32,
            })
            .await
            .unwrap()
            .into_inner()
            .result
            .unwrap();
        let ex = h
            .client
            .validate_config_parameters_ex(ValidateConfigParametersExRequest {
                config_parameters: params.clone(),
                page: page as i32,
                page_number: 1,
            })
            .await
            .unwrap()
            .into_inner()
            .result
            .unwrap();
        assert_eq!(plain, ex);
        match at_fault {
            Some(name) => {
                assert_eq!(
                    plain.code(),
                    ParameterValidationResultCode::Failure,
                    "{page:?} {params:?}"
                );
                assert_eq!(plain.error_parameter, name);
                assert!(plain.error_message.contains(name), "{}", plain.error_message);
            }
            None => assert_eq!(plain.code(), ParameterValidationResultCode::Success, "{plain:?}"),
        }
    }
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_has_three_locked_types_with_string_anchors() {
    let mut h = InProcess::start().await;
    let schema = h
        .client
        .get_schema(GetSchemaRequest {
            config_parameters: h.files.params(&[]),
        })
        .await
        .unwrap()
        .into_inner()
        .schema
        .unwrap();
    let names: Vec<&str> = schema.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["user", "group", "organizationalUnit"]);
    for t in &schema.types {
        assert!(t.locked, "{} anchor is locked", t.name);
        let anchors: Vec<&SchemaAttribute> = t.attributes.iter().filter(|a| a.is_anchor).collect();
        assert_eq!(anchors.len(), 1);
        assert_eq!(anchors[0].name, "id");
        assert_eq!(anchors[0].data_type(), AttributeType::String);
        assert!(!anchors[0].is_multi_valued);
    }
    let attr = |t: &str, a: &str| -> SchemaAttribute {
        schema
            .types
            .iter()
            .find(|x| x.name == t)
            .unwrap()
            .attributes
            .iter()
            .find(|x| x.name == a)
            .cloned()
            .unwrap()
    };
    assert_eq!(attr("user", "employeeNumber").data_type(), AttributeType::Integer);
    assert_eq!(attr("user", "enabled").data_type(), AttributeType::Boolean);
    assert_eq!(attr("user", "photo").data_type(), AttributeType::Binary);
    assert_eq!(attr("user", "manager").data_type(), AttributeType::Reference);
    assert!(!attr("user", "photo").hidden_by_default);
    let member = attr("group", "member");
    assert_eq!(member.data_type(), AttributeType::Reference);
    assert!(member.is_multi_valued);
    let ou = schema.types.iter().find(|t| t.name == "organizationalUnit").unwrap();
    assert_eq!(ou.possible_dn_components_for_provisioning, ["ou"]);
    let hidden = h
        .client
        .get_schema(GetSchemaRequest {
            config_parameters: vec![param("schema_hide_photo", "1")],
        })
        .await
        .unwrap()
        .into_inner()
        .schema
        .unwrap();
    let photo = hidden.types[0].attributes.iter().find(|a| a.name == "photo").unwrap();
    assert!(photo.hidden_by_default);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_partitions_and_their_ou_trees() {
    let mut h = InProcess::start().await;
    let params = h.files.params(&[]);
    let partitions = h
        .client
        .get_partitions(GetPartitionsRequest {
            config_parameters: params.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .partitions;
    let dns: Vec<&str> = partitions.iter().map(|p| p.dn.as_str()).collect();
    assert_eq!(dns, ["DC=demo,DC=example", "DC=lab,DC=example"]);
    assert!(
        partitions
            .iter()
            .all(|p| !p.identifier.is_empty() && !p.name.is_empty())
    );
    let children = |dn: &str| {
        let request = GetHierarchyRequest {
            config_parameters: params.clone(),
            parent: Some(HierarchyNode {
                dn: dn.to_owned(),
                display_name: String::new(),
            }),
        };
        let mut client = h.client.clone();
        async move {
            client
                .get_hierarchy(request)
                .await
                .unwrap()
                .into_inner()
                .nodes
                .into_iter()
                .map(|n| (n.dn, n.display_name))
                .collect::<Vec<_>>()
        }
    };
    let top = children("DC=demo,DC=example").await;
    assert_eq!(
        top,
        [
            ("OU=Generated,DC=demo,DC=example".to_owned(), "Generated".to_owned()),
            ("OU=Groups,DC=demo,DC=example".to_owned(), "Groups".to_owned()),
            ("OU=People,DC=demo,DC=example".to_owned(), "People".to_owned()),
        ]
    );
    // The parent's spelling does not matter; only OUs are listed, never users.
    let people = children("ou=People, dc=demo, dc=example").await;
    assert_eq!(
        people,
        [(
            "OU=Contractors,OU=People,DC=demo,DC=example".to_owned(),
            "Contractors".to_owned()
        )]
    );
    assert!(children("OU=Contractors,OU=People,DC=demo,DC=example").await.is_empty());
    assert_eq!(children("DC=lab,DC=example").await.len(), 2);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_handshake_needs_a_common_protocol_version() {
    let mut h = InProcess::start().await;
    let err = h
        .client
        .handshake(HandshakeRequest {
            protocol_versions: vec![7, 9],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::FailedPrecondition);
    assert!(
        err.message().contains("[7, 9]") && err.message().contains("[1]"),
        "{}",
        err.message()
    );
    let hello = h
        .client
        .handshake(HandshakeRequest {
            protocol_versions: vec![1],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let interfaces: Vec<Ecma2Interface> = hello.interfaces().collect();
    for interface in [
        Ecma2Interface::CallImport,
        Ecma2Interface::CallExport,
        Ecma2Interface::FileImport,
        Ecma2Interface::FileExport,
        Ecma2Interface::GetSchema,
        Ecma2Interface::GetPartitions,
        Ecma2Interface::GetHierarchy,
        Ecma2Interface::GetCapabilities,
        Ecma2Interface::GetCapabilitiesEx,
        Ecma2Interface::GetParameters,
        Ecma2Interface::GetParametersEx,
        Ecma2Interface::Password,
    ] {
        assert!(interfaces.contains(&interface), "{interface:?} missing");
    }
    let export = hello.export_page_sizes.unwrap();
    assert_eq!((export.default_page_size, export.max_page_size), (100, 5_000));
    h.stop().await;
}
