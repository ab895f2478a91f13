import Testing
import HubKernel
import HubTesting
@testable import Switchboard

/// Every text field with a length CHECK in the database, at its limit: a text of exactly the
/// limit in code points is stored, one code point more is `validation_failed` naming the
/// field (never `internal`). "é" typed as `e` + U+0301 is one character for Swift's `count` and
/// two for the database's `length()`, which made the next-to-limit texts answer 500 (#17 item 5).
/// (The CHSH team name has the same test in its module's suite.)
@Suite("Text lengths agree with the database")
struct TextLengthTests {
    /// One text field: where it is sent, and its limit in code points.
    struct Field: Sendable, CustomTestStringConvertible {
        var name: String
        var limit: Int
        var send: @Sendable (_ hub: TestHub, _ text: String) async throws -> (ok: Bool, code: String?, field: String?)
        var testDescription: String { "\(name) (\(limit))" }
    }

    static let environment = ["RATE_LIMIT_AUTH_REGISTER": "off", "RATE_LIMIT_AUTH_GUEST": "off", "RATE_LIMIT_TICKETS_CREATE": "off",
                              "RATE_LIMIT_TICKETS_COMMENT": "off", "RATE_LIMIT_NOTIFICATIONS_SEND": "off", "RATE_LIMIT_PRESENCE_SET": "off"]

    static func command(_ role: Role, _ type: String, _ data: @escaping @Sendable (String) -> JSON,
                        before: (@Sendable (TestClient) async throws -> JSON)? = nil) -> @Sendable (TestHub, String) async throws -> (ok: Bool, code: String?, field: String?) {
        { hub, text in
            let client = try await hub.client(role: role)
            var payload = data(text)
            if let before, case .object(var fields) = payload, case .object(let extra) = try await before(client) {
                fields.merge(extra) { $1 }
                payload = .object(fields)
            }
            let reply = try await client.send(type, payload)
            return (reply.ok, reply.error?.code?.rawValue, reply.error?.field)
        }
    }

    static func http(_ path: String, _ body: @escaping @Sendable (String) -> JSON) -> @Sendable (TestHub, String) async throws -> (ok: Bool, code: String?, field: String?) {
        { hub, text in
            let response = try await HTTP(baseURL: hub.baseURL!).post(path, body(text))
            return (response.status == 200, response.body["error"]["code"].string, response.body["error"]["field"].string)
        }
    }

    static let fields: [Field] = [
        Field(name: "POST /auth/register displayName", limit: 64, send: http("/auth/register") { text in
            ["username": .string("u\(Int.random(in: 0..<1_000_000_000))"), "password": "password123", "displayName": .string(text)]
        }),
        Field(name: "POST /auth/guest displayName", limit: 64, send: http("/auth/guest") { ["displayName": .string($0)] }),
        Field(name: "tickets.create subject", limit: 200, send: command(.user, "tickets.create") { ["subject": .string($0)] }),
        Field(name: "tickets.create description", limit: 20_000, send: command(.user, "tickets.create") { ["subject": "s", "description": .string($0)] }),
        Field(name: "tickets.comment body", limit: 10_000, send: command(.user, "tickets.comment", { ["body": .string($0)] }) { client in
            let ticket = try await client.send("tickets.create", ["subject": "for a comment"])
            return ["ticketId": ticket.data["ticket"]["id"]]
        }),
        Field(name: "notifications.send title", limit: 200, send: command(.admin, "notifications.send") { ["role": "admin", "category": "info", "title": .string($0)] }),
        Field(name: "notifications.send body", limit: 2000, send: command(.admin, "notifications.send") {
            ["role": "admin", "category": "info", "title": "t", "body": .string($0)]
        }),
        Field(name: "presence.set text", limit: 100, send: command(.guest, "presence.set") { ["state": "online", "text": .string($0)] }),
    ]

    @Test("a text of exactly the limit in code points is stored; one more is validation_failed", arguments: fields)
    func limit(_ field: Field) async throws {
        try await TestHub.run(modules: Catalog.modules, .live, environment: Self.environment, configure: { $0.maxFrameBytes = 200_000 }) { hub in
            let accent = "e\u{301}"
            let fits = try await field.send(hub, String(repeating: accent, count: field.limit / 2))
            #expect(fits.ok, "\(field.limit / 2) × e+U+0301: \(fits)")
            let over = try await field.send(hub, String(repeating: accent, count: field.limit / 2) + "e")
            #expect(over.code == "validation_failed" && over.field?.hasSuffix(field.name.split(separator: " ").last.map(String.init) ?? "") == true,
                    "\(field.limit + 1) code points: \(over)")
            let wide = try await field.send(hub, String(repeating: "👍", count: field.limit))
            #expect(wide.ok, "\(field.limit) four-byte code points: \(wide)")
        }
    }
}
