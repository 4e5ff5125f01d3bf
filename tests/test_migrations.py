"""Migrations: up, down, up again; RLS everywhere; models agree."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from chatdesk.cli.provision import seed_if_empty
from chatdesk.db import migrate
from chatdesk.db.engine import connect, create_engine
from chatdesk.db.tables import SCHEMA, metadata
from tests.conftest import run


async def _fetch(url: str, query: str, *args):
    conn = await connect(url)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


def _tables(url: str) -> set[str]:
    rows = run(_fetch(url, "SELECT tablename FROM pg_tables WHERE schemaname = $1", SCHEMA))
    return {row["tablename"] for row in rows}


def test_upgrade_downgrade_upgrade_on_a_fresh_database(new_database):
    url = new_database()
    assert migrate.status(url).current is None
    migrate.upgrade(url)
    assert migrate.status(url).at_head
    assert {t.name for t in metadata.sorted_tables} <= _tables(url)
    migrate.downgrade(url)
    assert migrate.status(url).current is None
    assert _tables(url) == {"alembic_version"}
    migrate.upgrade(url)
    assert migrate.status(url).at_head


def _departments(url: str) -> list[tuple[str, bool]]:
    rows = run(_fetch(url, f"SELECT name, is_default FROM {SCHEMA}.departments ORDER BY name"))
    return [(row["name"], row["is_default"]) for row in rows]


def test_a_migrated_database_has_one_default_department_and_the_first_run_adds_none(new_database):
    url = new_database()
    migrate.upgrade(url)
    assert _departments(url) == [("Support", True)]
    first = run(seed_if_empty(url))
    assert _departments(url) == [("Support", True)]
    members = run(_fetch(url, f"SELECT agent_id FROM {SCHEMA}.agent_departments WHERE department_id = $1",
                         first.department["id"]))
    assert len(members) == 1, "the first admin is a member of the default department"


def test_the_default_department_migration_leaves_existing_departments_alone(new_database):
    url = new_database()
    migrate.upgrade(url, "0004")
    run(_fetch(url, f"INSERT INTO {SCHEMA}.departments (name, is_default) VALUES ('Sales', true)"))
    migrate.upgrade(url)
    assert _departments(url) == [("Sales", True)]


def test_models_and_migrations_agree(database_url):
    async def diff():
        engine = create_engine(database_url, pool_size=1)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={
                        "include_schemas": True, "compare_type": True, "include_name": migrate.include_name,
                    }), metadata))
        finally:
            await engine.dispose()

    assert run(diff()) == []


def test_row_level_security_is_on_for_every_table(database_url):
    rows = run(_fetch(database_url, """
        SELECT c.relname, c.relrowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind = 'r'""", SCHEMA))
    assert rows and all(row["relrowsecurity"] for row in rows), [r["relname"] for r in rows if not r["relrowsecurity"]]


def test_anon_role_reads_no_row_of_any_table(database_url, client, make_agent):
    make_agent()  # at least agents and (via the client's lifespan) data exist
    client.post("/api/v1/auth/login", json={"email": "x@example.com", "password": "y"})

    async def as_anon() -> dict[str, tuple[int, int]]:
        conn = await connect(database_url)
        try:
            for role in ("anon", "authenticated"):
                await conn.execute(f"""DO $$ BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {role} NOLOGIN;
                    END IF; END $$""")
                # Supabase grants broadly; grant here too, so only RLS stands between anon and the rows.
                await conn.execute(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {role}")
                await conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} TO {role}")
            tables = [r["tablename"] for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = $1", SCHEMA)]
            counts = {}
            for table in tables:
                owner_count = await conn.fetchval(f"SELECT count(*) FROM {SCHEMA}.{table}")
                async with conn.transaction():
                    await conn.execute("SET LOCAL ROLE anon")
                    counts[table] = (owner_count, await conn.fetchval(f"SELECT count(*) FROM {SCHEMA}.{table}"))
            return counts
        finally:
            await conn.close()

    counts = run(as_anon())
    assert counts["agents"][0] > 0 and counts["alembic_version"][0] == 1
    assert {table: anon for table, (_, anon) in counts.items() if anon} == {}


def test_updated_at_is_maintained(database_url, make_agent):
    agent = make_agent()

    async def touch():
        conn = await connect(database_url)
        try:
            before = await conn.fetchval(f"SELECT updated_at FROM {SCHEMA}.agents WHERE id = $1::uuid", agent["id"])
            await conn.execute(f"UPDATE {SCHEMA}.agents SET name = 'Renamed' WHERE id = $1::uuid", agent["id"])
            after = await conn.fetchval(f"SELECT updated_at FROM {SCHEMA}.agents WHERE id = $1::uuid", agent["id"])
            return before, after
        finally:
            await conn.close()

    before, after = run(touch())
    assert after > before
