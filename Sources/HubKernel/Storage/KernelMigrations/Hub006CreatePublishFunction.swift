import SQLKit

/// `hub_publish(…)`: cluster mode's numbering of one sequenced event as a PostgreSQL function —
/// bump the topic's counter row (its lock orders the topic's publishers by commit), keep the
/// event in the bounded history, trim it, NOTIFY the other nodes — so a module's own statement
/// can number its event in the same round trip (``StatementEvent``; issue #16), and the
/// kernel's separate numbering statement is the same code. Nothing on SQLite, which has no
/// cluster mode.
///
/// The NOTIFY text is `<head><seq>\n<topic>` followed, when `inline`, by `\n<type>\n<payload>`
/// (``BusNotification``: `e` or `E`). hub.007 re-creates the function on top of
/// `hub_notification` and `hub_history_floor`, which the batch numbering shares.
struct Hub006CreatePublishFunction: Migration {
    let name = "hub.006_create_publish_function"

    /// The function as this migration creates it, after `CREATE [OR REPLACE] FUNCTION`:
    /// hub.007 restores it when reverted.
    static let definition = definition(
        historyFloor: "n - p_keep",
        notification: Hub007CreateNotificationFunctions.notification(seq: "n"))

    /// `hub_publish` with the SQL expressions for the highest `seq` the history drops and for
    /// the NOTIFY's text (over `n`, the event's `seq`, and the parameters): hub.006 wrote them
    /// out, hub.007 re-creates the function with calls of the functions it adds.
    static func definition(historyFloor: String, notification: String) -> String {
        """
        hub_publish(p_channel text, p_head text, p_inline boolean, p_topic text, p_type text,
                    p_payload text, p_now bigint, p_keep bigint) RETURNS bigint
        LANGUAGE plpgsql VOLATILE AS $$
        DECLARE
            n bigint;
        BEGIN
            INSERT INTO hub_topics AS t (topic, seq) VALUES (p_topic, 1)
                ON CONFLICT (topic) DO UPDATE SET seq = t.seq + 1
                RETURNING t.seq INTO n;
            INSERT INTO hub_topic_events (topic, seq, type, payload, published_at) VALUES (p_topic, n, p_type, p_payload, p_now);
            DELETE FROM hub_topic_events WHERE topic = p_topic AND seq <= \(historyFloor);
            PERFORM pg_notify(p_channel, \(notification));
            RETURN n;
        END
        $$
        """
    }

    func prepare(on database: any SQLDatabase) async throws {
        guard !database.isSQLite else { return }
        try await database.raw("CREATE FUNCTION \(unsafeRaw: Self.definition)").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        guard !database.isSQLite else { return }
        try await database.raw("DROP FUNCTION hub_publish(text, text, boolean, text, text, text, bigint, bigint)").run()
    }
}
