import HubKernel
import HubTesting
import Testing

/// Small helpers shared by the chat tests.
extension TestClient {
    /// Joins a room and checks it worked.
    @discardableResult
    func join(_ room: String) async throws -> TestFrame {
        let reply = try await send("chat.join", ["room": .string(room)])
        #expect(reply.ok, "join \(room): \(reply)")
        return reply
    }

    /// Sends a message and returns the stored message object.
    @discardableResult
    func say(_ text: String, in room: String, clientMsgId: String? = nil) async throws -> JSON {
        var data: [String: JSON] = ["room": .string(room), "text": .string(text)]
        if let clientMsgId { data["clientMsgId"] = .string(clientMsgId) }
        let reply = try await send("chat.send", .object(data))
        #expect(reply.ok, "send: \(reply)")
        return reply.data["message"]
    }
}

/// Chat tests lift the send limit unless they test it.
let unlimitedSends = ["RATE_LIMIT_CHAT_SEND": "off", "RATE_LIMIT_CHAT_TYPING": "off"]
