import HubKernel
import HubTesting
import SQLKit
import Testing

/// What the batch suites of both databases drive and read back (``SendBatchTests`` on
/// PostgreSQL, ``SQLiteSendBatchTests`` on SQLite).
enum BatchedSends {
    /// Members of `general` and `random` sending `perSender` messages each at once over real
    /// sockets (alternating rooms), while a listener in both rooms hears them. `beforeSending`
    /// runs once everyone has joined.
    /// - Returns: each acknowledged send's room and `seq`, and the `seq`s the listener heard
    ///   per room, in the order heard.
    static func sendAtOnce(on hub: TestHub, senders count: Int, perSender: Int,
                           clientMsgIDs: Bool, beforeSending: () throws -> Void = {}) async throws -> (acknowledged: [(room: String, seq: Int64)], heard: [String: [Int64]]) {
        let rooms = ["general", "random"]
        var senders: [TestClient] = []
        for _ in 0..<count {
            let client = try await hub.client()
            for room in rooms { try await client.join(room) }
            senders.append(client)
        }
        let listener = try await hub.client()
        for room in rooms { try await listener.join(room) }
        try beforeSending()
        let acknowledged = try await withThrowingTaskGroup(of: [(room: String, seq: Int64)].self) { group in
            for (n, sender) in senders.enumerated() {
                group.addTask {
                    try await withThrowingTaskGroup(of: (room: String, seq: Int64).self) { sends in
                        for k in 0..<perSender {
                            let room = rooms[(n + k) % 2]
                            var fields: [String: JSON] = ["room": .string(room), "text": .string("\(n)-\(k)")]
                            if clientMsgIDs { fields["clientMsgId"] = .string("m-\(n)-\(k)") }
                            let data = JSON.object(fields)
                            sends.addTask {
                                let reply = try await sender.send("chat.send", data)
                                #expect(reply.ok, "\(reply)")
                                return (room, reply.data["message"]["seq"].int ?? -1)
                            }
                        }
                        return try await sends.reduce(into: []) { $0.append($1) }
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        var heard: [String: [Int64]] = [:]
        for _ in 0..<(count * perSender) {
            let event = try await listener.expectEvent("chat.message")
            heard[event.data["message"]["room"].string ?? "", default: []].append(event.data["message"]["seq"].int ?? -1)
        }
        return (acknowledged, heard)
    }

    /// Every member's read position in `room`, by user id.
    static func readPositions(in room: String, on database: Database) async throws -> [String: Int64] {
        let rows = try await database.withConnection { sql in
            try await sql.raw("SELECT user_id, last_read_seq FROM chat_members WHERE room = \(bind: room) ORDER BY user_id").all()
                .map { (try $0.decode(column: "user_id", as: String.self), try $0.decode(column: "last_read_seq", as: Int64.self)) }
        }
        return Dictionary(uniqueKeysWithValues: rows)
    }
}
