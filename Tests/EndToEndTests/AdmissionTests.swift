import Testing
import HubKernel
import HubTesting
@testable import Switchboard

/// The headers of a WebSocket upgrade request.
let upgrade = ["Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="]

extension Dictionary where Key == String, Value == String {
    static func + (lhs: Self, rhs: Self) -> Self { lhs.merging(rhs) { $1 } }
}

@Suite("Connecting to /ws")
struct AdmissionTests {
    @Test("no token, a bad token: 401 with a JSON error body before any upgrade") func unauthorized() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let http = HTTP(baseURL: hub.baseURL!)
            let missing = try await http.get("/ws", headers: upgrade)
            #expect(missing.status == 401)
            #expect(missing.body["error"]["code"] == "unauthorized")
            let forged = try await http.get("/ws?access_token=forged.token.here")
            #expect(forged.status == 401)
            await #expect(throws: (any Error).self) { try await hub.connect(accessToken: "forged") }
        }
    }

    @Test("a browser origin outside the allow-list is refused with 403") func origins() async throws {
        try await TestHub.run(modules: Catalog.modules, .live, environment: ["HTTP_ALLOWED_ORIGINS": "https://app.example"]) { hub in
            let token = try await hub.hub.accounts.guest(displayName: "g").accessToken
            let http = HTTP(baseURL: hub.baseURL!)
            let refused = try await http.get("/ws", token: token, headers: ["Origin": "https://evil.example"] + upgrade)
            #expect(refused.status == 403)
            #expect(refused.body["error"]["code"] == "forbidden")
            // an allowed origin passes admission (here without an upgrade, so the answer is 400)
            let allowed = try await http.get("/ws", token: token, headers: ["Origin": "https://app.example"])
            #expect(allowed.status == 400)
            // the test client's own origin (http://127.0.0.1:PORT) is not on the list
            await #expect(throws: (any Error).self) { try await hub.connect(accessToken: token) }
        }
    }

    @Test("the token may come as access_token in the query (browsers)") func queryToken() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let client = try await hub.client()
            let http = HTTP(baseURL: hub.baseURL!)
            // without an upgrade the admitted request is told what is missing
            let plain = try await http.get("/ws?access_token=\(client.accessToken)")
            #expect(plain.status == 400)
            #expect(plain.body["error"]["code"] == "bad_request")
        }
    }

    @Test("permessage-deflate is negotiated when offered") func compression() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let user = try await hub.client()
            let compressed = try await hub.connect(accessToken: user.accessToken, compress: true)
            let reply = try await compressed.send("poll.create", ["question": .string(String(repeating: "long question ", count: 20)), "options": ["a", "b"]])
            #expect(reply.ok)
        }
    }
}
