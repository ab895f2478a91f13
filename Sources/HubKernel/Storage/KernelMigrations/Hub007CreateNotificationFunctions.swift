import SQLKit

/// The two rules every numbering of an event follows on PostgreSQL, as SQL functions of their
/// own, so `hub_publish` (one event) and ``StatementEvent/publishingEvery(number:from:)`` (a
/// batch) state them once:
///
/// - `hub_notification(head, seq, topic, inline, type, payload)`: the NOTIFY text of a numbered
///   event, `<head><seq>\n<topic>` followed, when `inline`, by `\n<type>\n<payload>`
///   (``BusNotification``: `e` or `E`).
/// - `hub_history_floor(top, keep)`: the highest `seq` a topic's history drops once its counter
///   reached `top` and it keeps `keep` events.
///
/// Both are single-expression `LANGUAGE sql IMMUTABLE` functions, which PostgreSQL inlines into
/// the statement calling them: a trim by `seq <= hub_history_floor(…)` still uses the history's
/// primary key, and nothing is called per row. `hub_publish` is re-created on top of them.
/// Nothing on SQLite, which has no cluster mode.
struct Hub007CreateNotificationFunctions: Migration {
    let name = "hub.007_create_notification_functions"

    /// The NOTIFY text of an event numbered `seq` (an SQL expression), over the parameters
    /// `p_head`, `p_topic`, `p_inline`, `p_type`, `p_payload`: `hub_notification`'s body, and
    /// what hub.006's `hub_publish` wrote out.
    static func notification(seq: String) -> String {
        "p_head || \(seq) || E'\\n' || p_topic || CASE WHEN p_inline THEN E'\\n' || p_type || E'\\n' || p_payload ELSE '' END"
    }

    func prepare(on database: any SQLDatabase) async throws {
        guard !database.isSQLite else { return }
        try await database.raw("""
            CREATE FUNCTION hub_notification(p_head text, p_seq bigint, p_topic text, p_inline boolean, p_type text, p_payload text)
            RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                SELECT \(unsafeRaw: Self.notification(seq: "p_seq"))
            $$
            """).run()
        try await database.raw("""
            CREATE FUNCTION hub_history_floor(p_top bigint, p_keep bigint)
            RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT p_top - p_keep $$
            """).run()
        let publish = Hub006CreatePublishFunction.definition(
            historyFloor: "hub_history_floor(n, p_keep)",
            notification: "hub_notification(p_head, n, p_topic, p_inline, p_type, p_payload)")
        try await database.raw("CREATE OR REPLACE FUNCTION \(unsafeRaw: publish)").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        guard !database.isSQLite else { return }
        try await database.raw("CREATE OR REPLACE FUNCTION \(unsafeRaw: Hub006CreatePublishFunction.definition)").run()
        try await database.raw("DROP FUNCTION hub_history_floor(bigint, bigint)").run()
        try await database.raw("DROP FUNCTION hub_notification(text, bigint, text, boolean, text, text)").run()
    }
}
