using Npgsql;

namespace Hotline.Storage.Postgres;

/// <summary>
/// The tables of a Hotline installation in PostgreSQL. Times are UTC ticks (<c>bigint</c>): the
/// domain's clock has 100 ns resolution and <c>timestamptz</c> only 1 µs, and a request read back
/// must be the request written. Free text is never in a column of its own: it is in the sealed
/// <c>bytea</c> columns, under the request's data key (see <see cref="Protection.SealedRequest"/>).
/// </summary>
/// <remarks>
/// One row, <c>head</c>, carries the installation's counters: the last revision, the next request
/// number, the audit chain's sequence and head hash. Every write transaction, on every server,
/// begins by locking it (<c>SELECT ... FOR UPDATE</c>) and ends by writing it back. Row locks are
/// held until commit, so write transactions commit one after another in the order they took the
/// lock: revisions are gap-free and in commit order (a rolled-back transaction wrote no revision,
/// and a later one cannot commit first), and the audit chain has one order. A sequence would give
/// neither: a later number can commit first, and a reader that passed it would never see the
/// earlier one. The price is that commits are serial, each holding the lock through its WAL flush;
/// each server therefore groups whatever waits into one transaction, as the LiteDB store's writer does.
/// </remarks>
public static class PostgresSchema
{
    /// <summary>The schema this code reads and writes; a database at another version is refused.</summary>
    public const int Version = 1;

    private const string Create = """
        CREATE TABLE IF NOT EXISTS hotline_schema (
            id integer PRIMARY KEY CHECK (id = 1),
            version integer NOT NULL
        );

        CREATE TABLE IF NOT EXISTS head (
            id integer PRIMARY KEY CHECK (id = 1),
            last_revision bigint NOT NULL,
            next_number bigint NOT NULL,
            compacted_through bigint NOT NULL,
            audit_sequence bigint NOT NULL,
            audit_head bytea NOT NULL
        );

        -- The key-check value proves a master key is the installation's; locked survives restarts and binds every server.
        CREATE TABLE IF NOT EXISTS security (
            id integer PRIMARY KEY CHECK (id = 1),
            key_check bytea NOT NULL,
            locked boolean NOT NULL
        );

        CREATE TABLE IF NOT EXISTS requests (
            id text PRIMARY KEY COLLATE "C",
            number bigint NOT NULL UNIQUE,
            channel integer NOT NULL,
            language text NOT NULL,
            urgency integer NOT NULL,
            state integer NOT NULL,
            assignee text,
            resolution integer NOT NULL,
            closed_by text,
            create_ticks bigint NOT NULL,
            update_ticks bigint NOT NULL,
            close_ticks bigint,
            revision bigint NOT NULL,
            submitted_by text NOT NULL,
            -- The keyed pseudonym of the requester (RequesterPseudonym); null without a contact handle.
            requester bytea,
            earlier_contacts integer NOT NULL,
            contact_handle bytea NOT NULL,
            message bytea NOT NULL,
            region bytea NOT NULL,
            tags bytea NOT NULL,
            resolution_comment bytea NOT NULL,
            -- [{id, author, ticks, text (base64 of the sealed blob), client_key}], oldest first.
            notes jsonb NOT NULL,
            first_claim_ticks bigint,
            escalation_step integer NOT NULL,
            waiting_since_ticks bigint NOT NULL,
            -- {due_ticks, reason (base64 of the sealed blob), set_by, due}; null without a follow-up.
            follow_up jsonb,
            -- {from, to, note_id, ticks}; null without a hand-over note.
            hand_over jsonb
        );
        -- One index per offered order, each over the ascending key expressions ListSql pages with
        -- (a descending field negated, the number last), so a page is a range scan from its token.
        CREATE INDEX IF NOT EXISTS requests_queue ON requests ((-urgency), create_ticks, number);
        CREATE INDEX IF NOT EXISTS requests_state_queue ON requests (state, (-urgency), create_ticks, number);
        CREATE INDEX IF NOT EXISTS requests_open_queue ON requests ((-urgency), create_ticks, number) WHERE state <> 4;
        CREATE INDEX IF NOT EXISTS requests_created ON requests (create_ticks, number);
        CREATE INDEX IF NOT EXISTS requests_created_desc ON requests ((-create_ticks), number);
        CREATE INDEX IF NOT EXISTS requests_updated ON requests (update_ticks, number);
        CREATE INDEX IF NOT EXISTS requests_updated_desc ON requests ((-update_ticks), number);
        CREATE INDEX IF NOT EXISTS requests_number_desc ON requests ((-number));
        -- The working set: open requests, and those closed within the window.
        CREATE INDEX IF NOT EXISTS requests_open ON requests (id) WHERE state <> 4;
        CREATE INDEX IF NOT EXISTS requests_closed ON requests (close_ticks) WHERE close_ticks IS NOT NULL;
        CREATE INDEX IF NOT EXISTS requests_first_claim ON requests (first_claim_ticks) WHERE first_claim_ticks IS NOT NULL;
        CREATE INDEX IF NOT EXISTS requests_requester ON requests (requester, number) WHERE requester IS NOT NULL;

        -- Each request's data key, wrapped by the master key. Deleting the row shreds every copy of the request's sealed fields.
        CREATE TABLE IF NOT EXISTS data_keys (
            request_id text PRIMARY KEY COLLATE "C",
            wrapped bytea NOT NULL
        );

        -- The change log: one row per revision, carrying the request as stored at that revision (sealed the same way).
        CREATE TABLE IF NOT EXISTS changes (
            revision bigint PRIMARY KEY,
            request_id text NOT NULL COLLATE "C",
            kind integer NOT NULL,
            actor text NOT NULL,
            request jsonb
        );
        CREATE INDEX IF NOT EXISTS changes_request ON changes (request_id);

        -- (submitter, client request id) as a keyed hash, to the request it created: idempotency by a unique key.
        CREATE TABLE IF NOT EXISTS intake_keys (
            key text PRIMARY KEY COLLATE "C",
            request_id text NOT NULL COLLATE "C",
            number bigint NOT NULL,
            create_ticks bigint NOT NULL
        );
        CREATE INDEX IF NOT EXISTS intake_keys_request ON intake_keys (request_id);

        CREATE TABLE IF NOT EXISTS operators (
            id text PRIMARY KEY COLLATE "C",
            display_name text NOT NULL,
            role integer NOT NULL,
            disabled boolean NOT NULL,
            token_hash bytea,
            create_ticks bigint NOT NULL,
            rotate_ticks bigint,
            version bigint NOT NULL
        );

        -- The audit chain, in sequence order with no gaps.
        CREATE TABLE IF NOT EXISTS audit (
            sequence bigint PRIMARY KEY,
            ticks bigint NOT NULL,
            actor text NOT NULL,
            action integer NOT NULL,
            request_ids text[] NOT NULL,
            operator_id text,
            revision bigint,
            watch_stream bigint,
            watch_from bigint,
            watch_through bigint,
            watch_closed_since bigint,
            watch_ended boolean,
            previous_hash bytea NOT NULL,
            hash bytea NOT NULL
        );
        CREATE INDEX IF NOT EXISTS audit_request_ids ON audit USING gin (request_ids);
        -- The stream index: a request's trail finds the streams around its changes through these.
        CREATE INDEX IF NOT EXISTS audit_watch_through ON audit (watch_through) WHERE watch_stream IS NOT NULL;
        CREATE INDEX IF NOT EXISTS audit_watch_stream ON audit (watch_stream) WHERE watch_stream IS NOT NULL;
        CREATE INDEX IF NOT EXISTS audit_watch_snapshot ON audit (watch_from) WHERE watch_closed_since IS NOT NULL;
        CREATE INDEX IF NOT EXISTS audit_watch_closed_since ON audit (watch_closed_since) WHERE watch_closed_since IS NOT NULL;

        -- Account changes made while locked down, chained at the unlock.
        CREATE TABLE IF NOT EXISTS deferred_account_audit (
            id bigserial PRIMARY KEY,
            ticks bigint NOT NULL,
            actor text NOT NULL,
            action integer NOT NULL,
            operator_id text NOT NULL
        );

        -- The widest closed window any watch snapshot was recorded with: how far before a request's close a snapshot holding it can have begun.
        CREATE TABLE IF NOT EXISTS watch_index (
            id integer PRIMARY KEY CHECK (id = 1),
            widest_window_ticks bigint NOT NULL
        );

        -- Requests whose data key a purge destroyed and whose rows it has yet to remove.
        CREATE TABLE IF NOT EXISTS purges_in_progress (
            request_id text PRIMARY KEY COLLATE "C",
            actor text NOT NULL
        );
        """;

    /// <summary>
    /// What several servers share to enforce one security state (see <see cref="SharedSecurityState"/>
    /// and <see cref="SharedRateLimits"/>): the security version, raised in the transaction of every
    /// account write and lock change, with each account's last; and the rate limiters' tables.
    /// </summary>
    /// <remarks>
    /// The limiters' tables are UNLOGGED: they are not in the WAL, so neither in WAL archives nor on
    /// replicas, and PostgreSQL empties them after a crash, which only forgets who was limited. Their
    /// keys are keyed hashes (<see cref="SharedRateLimits"/>), never an address or an account id.
    /// Times there are seconds since the epoch on the database's clock, the one clock every server shares.
    /// </remarks>
    private const string SharedSecurity = """
        ALTER TABLE security ADD COLUMN IF NOT EXISTS security_version bigint NOT NULL DEFAULT 0;
        ALTER TABLE operators ADD COLUMN IF NOT EXISTS security_version bigint NOT NULL DEFAULT 0;
        CREATE INDEX IF NOT EXISTS operators_security_version ON operators (security_version);

        CREATE UNLOGGED TABLE IF NOT EXISTS rate_buckets (
            key bytea PRIMARY KEY,
            tokens double precision NOT NULL,
            updated double precision NOT NULL,
            -- When the bucket is full again: from then on the row means the same as no row.
            full_at double precision NOT NULL
        );
        CREATE INDEX IF NOT EXISTS rate_buckets_full_at ON rate_buckets (full_at);

        CREATE UNLOGGED TABLE IF NOT EXISTS failure_windows (
            key bytea PRIMARY KEY,
            failures integer NOT NULL,
            window_end double precision NOT NULL
        );
        CREATE INDEX IF NOT EXISTS failure_windows_end ON failure_windows (window_end);

        -- Takes one token from every bucket named, or none when one lacks a token. The rows are
        -- locked in key order, so two calls naming the same buckets never wait on each other in a circle.
        -- Returns the 0-based index of the first bucket that lacked a token (-1: taken) and how long
        -- until every bucket that lacked one has one.
        CREATE OR REPLACE FUNCTION hotline_take_tokens(bucket_keys bytea[], rates double precision[], capacities double precision[])
        RETURNS TABLE (refused_by integer, wait_seconds double precision)
        LANGUAGE plpgsql AS $take$
        DECLARE
            now_s double precision := extract(epoch FROM clock_timestamp());
            n integer := cardinality(bucket_keys);
            have double precision[] := '{}';
            since double precision[] := '{}';
            lacking integer := -1;
            wait double precision := 0;
            t double precision;
            u double precision;
        BEGIN
            INSERT INTO rate_buckets (key, tokens, updated, full_at)
                SELECT k, c, now_s, now_s FROM unnest(bucket_keys, capacities) AS b(k, c) ORDER BY k
                ON CONFLICT (key) DO NOTHING;
            PERFORM 1 FROM rate_buckets WHERE key = ANY (bucket_keys) ORDER BY key FOR UPDATE;
            FOR i IN 1 .. n LOOP
                t := NULL;
                u := NULL;
                SELECT tokens, updated INTO t, u FROM rate_buckets WHERE key = bucket_keys[i];
                t := LEAST(capacities[i], COALESCE(t, capacities[i]) + GREATEST(0, now_s - COALESCE(u, now_s)) * rates[i]);
                u := GREATEST(COALESCE(u, now_s), now_s);
                have := have || t;
                since := since || u;
                IF t < 1 THEN
                    IF lacking < 0 THEN
                        lacking := i - 1;
                    END IF;
                    wait := GREATEST(wait, (1 - t) / rates[i]);
                END IF;
            END LOOP;
            IF lacking < 0 THEN
                FOR i IN 1 .. n LOOP
                    INSERT INTO rate_buckets (key, tokens, updated, full_at)
                        VALUES (bucket_keys[i], have[i] - 1, since[i], since[i] + (capacities[i] - (have[i] - 1)) / rates[i])
                        ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated = excluded.updated, full_at = excluded.full_at;
                END LOOP;
            END IF;
            RETURN QUERY SELECT lacking, wait;
        END
        $take$;
        """;

    /// <summary>
    /// Creates what is missing and checks the version. Safe to run from several servers at once: it
    /// takes a transaction-scoped advisory lock first, so only one creates and the others wait.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database holds another version of the schema.</exception>
    public static async Task EnsureAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockSchema = new NpgsqlCommand("SELECT pg_advisory_xact_lock(7243011)", connection, transaction))
        {
            await lockSchema.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var create = new NpgsqlCommand(Create, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var shared = new NpgsqlCommand(SharedSecurity, connection, transaction))
        {
            await shared.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var version = new NpgsqlCommand(
            "INSERT INTO hotline_schema (id, version) VALUES (1, @version) ON CONFLICT (id) DO NOTHING; SELECT version FROM hotline_schema WHERE id = 1",
            connection, transaction))
        {
            version.Parameters.AddWithValue("version", Version);
            var found = (int)(await version.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            if (found != Version)
            {
                throw new InvalidOperationException(
                    $"The database holds Hotline schema version {found}; this server reads and writes version {Version}.");
            }
        }
        await using (var head = new NpgsqlCommand(
            "INSERT INTO head (id, last_revision, next_number, compacted_through, audit_sequence, audit_head) VALUES (1, 0, 1, 0, 0, @genesis) ON CONFLICT (id) DO NOTHING",
            connection, transaction))
        {
            head.Parameters.AddWithValue("genesis", Protection.AuditChain.GenesisHash.ToArray());
            await head.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
