-- The SQL connector's sample schema: people and groups, group membership in a child table.
-- Used by the tests, the conformance run and the README. Object types parameter:
--   person table=people anchor=id dn=cn
--   group table=groups anchor=id dn=cn
-- Multi-valued attributes parameter:
--   group.member table=group_members owner=group_id value=member_id
CREATE TABLE people (
    id bigserial PRIMARY KEY,
    display_name text,
    cn text NOT NULL UNIQUE,
    mail text UNIQUE,
    title text,
    active boolean NOT NULL DEFAULT true,
    manager_id bigint REFERENCES people (id) ON DELETE SET NULL
);
CREATE TABLE groups (
    id bigserial PRIMARY KEY,
    description text,
    cn text NOT NULL UNIQUE
);
CREATE TABLE group_members (
    group_id bigint NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    member_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, member_id)
);
