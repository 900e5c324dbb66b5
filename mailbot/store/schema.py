"""The store's schema as ordered migrations; the store applies the missing ones on start.

Append new migrations at the end; never edit one that has shipped.
"""

MIGRATIONS = [
    """
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        message_id TEXT NOT NULL DEFAULT '',
        source_key TEXT NOT NULL,
        received_at TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        sender TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL,
        reason TEXT,
        unit TEXT,
        quarter TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE INDEX messages_message_id ON messages (message_id);
    CREATE INDEX messages_state ON messages (state);
    CREATE TABLE source_keys (
        source_key TEXT PRIMARY KEY,
        message INTEGER NOT NULL REFERENCES messages (id)
    );
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY,
        message INTEGER NOT NULL REFERENCES messages (id),
        message_id TEXT NOT NULL,
        unit TEXT NOT NULL,
        quarter TEXT NOT NULL,
        received_at TEXT NOT NULL,
        electronic INTEGER NOT NULL,
        stamped_pdf INTEGER NOT NULL,
        items TEXT NOT NULL,
        problems TEXT NOT NULL
    );
    CREATE INDEX submissions_unit_quarter ON submissions (quarter, unit);
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        submission INTEGER REFERENCES submissions (id),
        message INTEGER NOT NULL REFERENCES messages (id),
        file TEXT NOT NULL,
        format TEXT NOT NULL,
        error TEXT,
        has_form INTEGER NOT NULL,
        scanned INTEGER NOT NULL,
        seal INTEGER,
        warnings TEXT NOT NULL
    );
    CREATE TABLE rows (
        id INTEGER PRIMARY KEY,
        submission INTEGER NOT NULL REFERENCES submissions (id),
        seq INTEGER NOT NULL,
        title TEXT NOT NULL,
        units TEXT NOT NULL,
        unit TEXT,
        progress TEXT NOT NULL,
        deadline TEXT NOT NULL
    );
    CREATE TABLE outgoing (
        id INTEGER PRIMARY KEY,
        dedup_key TEXT UNIQUE,
        kind TEXT NOT NULL,
        sender TEXT NOT NULL,
        recipients TEXT NOT NULL,
        subject TEXT NOT NULL,
        raw BLOB NOT NULL,
        unit TEXT,
        quarter TEXT,
        state TEXT NOT NULL DEFAULT 'queued',
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT
    );
    CREATE INDEX outgoing_state ON outgoing (state);
    CREATE TABLE state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    """,
    """
    ALTER TABLE outgoing ADD COLUMN next_try_at TEXT
    """,
    """
    ALTER TABLE rows ADD COLUMN extra TEXT NOT NULL DEFAULT '[]'
    """,
    """
    ALTER TABLE submissions ADD COLUMN counted INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        action TEXT NOT NULL,
        message INTEGER REFERENCES messages (id),
        detail TEXT NOT NULL,
        reason TEXT NOT NULL
    )
    """,
    """
    CREATE INDEX messages_unit ON messages (unit);
    CREATE INDEX outgoing_unit ON outgoing (unit);
    CREATE INDEX documents_message ON documents (message);
    CREATE INDEX rows_submission ON rows (submission)
    """,
    """
    ALTER TABLE rows ADD COLUMN ocr INTEGER NOT NULL DEFAULT 0
    """,
    """
    ALTER TABLE outgoing ADD COLUMN queued_at TEXT;
    ALTER TABLE outgoing ADD COLUMN given_up_key TEXT
    """,
    """
    ALTER TABLE messages ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
    CREATE INDEX messages_fingerprint ON messages (fingerprint)
    """,
    """
    CREATE TABLE outgoing_to (
        outgoing INTEGER NOT NULL REFERENCES outgoing (id),
        address TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    INSERT INTO outgoing_to SELECT DISTINCT o.id, j.value, o.kind, o.created_at
        FROM outgoing AS o, json_each(o.recipients) AS j;
    CREATE INDEX outgoing_to_address ON outgoing_to (address, created_at)
    """,
    """
    CREATE TABLE login_failures (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        last_at TEXT NOT NULL
    )
    """,
]


# the columns of an outgoing mail without its bytes (store.records.outgoing_record reads them)
LISTED = ("id, kind, dedup_key, recipients, subject, unit, quarter, state, attempts, last_error,"
          " created_at, sent_at, given_up_key")
