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

    @Test("permessage-deflate is negotiated when offered, and compressed commands are read") func compression() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let user = try await hub.client()
            let offered = try await RawWebSocket.open(port: hub.port, path: "/ws?access_token=\(user.accessToken)",
                                                      headers: ["Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits"])
            #expect(offered.status == 101)
            #expect(offered.header("Sec-WebSocket-Extensions")?.hasPrefix("permessage-deflate") == true, "\(offered.responseHead)")
            await offered.close()
            let plain = try await RawWebSocket.open(port: hub.port, path: "/ws?access_token=\(user.accessToken)")
            #expect(plain.status == 101)
            #expect(plain.header("Sec-WebSocket-Extensions") == nil)
            await plain.close()
            // a client that compresses its frames (it does so only once the server agreed)
            let compressed = try await hub.connect(accessToken: user.accessToken, compress: true)
            let reply = try await compressed.send("poll.create", ["question": .string(String(repeating: "long question ", count: 20)), "options": ["a", "b"]])
            #expect(reply.ok)
        }
    }

    @Test("an account over HUB_MAX_CONNECTIONS_PER_USER is refused 429 before the upgrade; closing one frees a place")
    func connectionsPerUser() async throws {
        try await TestHub.run(modules: Catalog.modules, .live, environment: ["HUB_MAX_CONNECTIONS_PER_USER": "3"]) { hub in
            let alice = try await hub.client()
            let tabs = [try await hub.connect(accessToken: alice.accessToken), try await hub.connect(accessToken: alice.accessToken)]
            let http = HTTP(baseURL: hub.baseURL!)
            let refused = try await http.get("/ws", token: alice.accessToken, headers: upgrade)
            #expect(refused.status == 429 && refused.body["error"]["code"] == "rate_limited", "\(refused.body)")
            #expect((refused.body["error"]["retryAfterMs"].int ?? 0) > 0 && refused.body["error"]["message"].string?.contains("open connections") == true)
            await #expect(throws: (any Error).self) { try await hub.connect(accessToken: alice.accessToken) }
            let bob = try await hub.client()
            #expect(try await bob.send("hub.ping", [:]).ok, "another account is not affected")
            #expect(try await tabs[0].send("hub.ping", [:]).ok, "the open ones keep working")
            await tabs[1].close()
            try await Task.sleep(for: .milliseconds(200))
            let again = try await hub.connect(accessToken: alice.accessToken)
            #expect(try await again.send("hub.ping", [:]).ok, "a closed connection frees its place")
        }
    }

    @Test("HUB_MAX_CONNECTIONS_PER_ADDRESS caps one client address across accounts") func connectionsPerAddress() async throws {
        try await TestHub.run(modules: Catalog.modules, .live, environment: ["HUB_MAX_CONNECTIONS_PER_ADDRESS": "2"]) { hub in
            _ = try await hub.client(role: .guest)
            _ = try await hub.client(role: .guest)
            let third = try await hub.hub.accounts.guest(displayName: "third").accessToken
            let refused = try await HTTP(baseURL: hub.baseURL!).get("/ws", token: third, headers: upgrade)
            #expect(refused.status == 429 && refused.body["error"]["message"].string?.contains("address") == true, "\(refused.body)")
        }
    }

    @Test("an allowed browser origin opens a real WebSocket") func allowedOrigin() async throws {
        try await TestHub.run(modules: Catalog.modules, .live, environment: ["HTTP_ALLOWED_ORIGINS": "https://app.example,https://admin.example"]) { hub in
            let token = try await hub.hub.accounts.guest(displayName: "browser").accessToken
            let socket = try await RawWebSocket.open(port: hub.port, path: "/ws?access_token=\(token)", headers: ["Origin": "https://admin.example"])
            #expect(socket.status == 101, "\(socket.responseHead)")
            let welcome = try #require(try await socket.nextIgnoringPings())
            #expect(JSON.parse(welcome.text)?["data"]["user"]["displayName"] == "browser")
            socket.send(text: #"{"id":1,"type":"hub.ping"}"#)
            var reply: JSON?
            while reply == nil, let frame = try await socket.nextIgnoringPings() {
                if let json = JSON.parse(frame.text), json["re"] == 1 { reply = json }   // events may come first
            }
            #expect(reply?["ok"] == true)
            await socket.close()
        }
    }
}

extension TestHub {
    /// The live server's port.
    var port: Int { Int(baseURL!.split(separator: ":").last!)! }
}
