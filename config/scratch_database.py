"""Scratch databases for benchmarks and scale seeding: never drop what we did not create.

A benchmark (`bin/benchmark-report`) or `manage.py seed_scale` builds its data in a
PostgreSQL database of its own. It may start again from empty, but only in a database it
made itself: every database made here carries a comment (`MARKER`), and an existing
database without that comment is refused, whatever its name. So pointing a benchmark at
the real database, or at someone else's test database, stops with a message and changes
nothing.
"""

from urllib.parse import urlsplit, urlunsplit

MARKER = "peerfolio scratch database: benchmarks may drop and recreate it"


class ScratchDatabaseRefused(Exception):
    """The named database exists and was not made by a benchmark: it is left alone."""


def database_name(database_url: str) -> str:
    """The database a postgres:// URL names."""
    name = urlsplit(database_url).path.lstrip("/")
    if not name:
        raise ScratchDatabaseRefused(f"The URL {database_url!r} names no database.")
    return name


def _admin_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def is_scratch(connection, name: str) -> bool | None:
    """True if `name` is ours, False if it exists and is not, None if it does not exist."""
    row = connection.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [name],
    ).fetchone()
    if row is None:
        return None
    return row[0] == MARKER


def recreate_scratch_database(database_url: str) -> str:
    """Make the URL's database empty and marked as ours; return its name.

    Creates it if it does not exist. Drops and recreates it only if it carries `MARKER`.
    Raises ScratchDatabaseRefused, having touched nothing, if it exists without the mark.
    """
    import psycopg

    name = database_name(database_url)
    with psycopg.connect(_admin_url(database_url), autocommit=True) as connection:
        ours = is_scratch(connection, name)
        if ours is False:
            raise ScratchDatabaseRefused(
                f"The database {name!r} already exists and was not made by a benchmark, "
                "so it is left alone. Name a new database, for example "
                f"{name}_scratch."
            )
        if ours:
            connection.execute(f"DROP DATABASE {_quoted(name)}")
        connection.execute(f"CREATE DATABASE {_quoted(name)}")
        connection.execute(f"COMMENT ON DATABASE {_quoted(name)} IS {_literal(MARKER)}")
    return name


def drop_scratch_database(database_url: str) -> bool:
    """Drop the URL's database if, and only if, it carries `MARKER`. True if dropped."""
    import psycopg

    name = database_name(database_url)
    with psycopg.connect(_admin_url(database_url), autocommit=True) as connection:
        if not is_scratch(connection, name):
            return False
        connection.execute(f"DROP DATABASE {_quoted(name)}")
    return True


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
