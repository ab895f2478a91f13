import NIOCore

/// Keeps a long run's sockets signed in, as a real client does: on `hub.token_expiring` it
/// refreshes the socket's tokens over HTTP (`POST /auth/refresh`, which rotates the refresh
/// token) and sends `hub.auth` with the new access token (protocol.md "Token expiry").
///
/// Without it every socket of a run longer than the access token's lifetime (15 minutes by
/// default) is closed with 4001. Refreshes go over a few keep-alive HTTP connections, since a
/// run's clients signed in together and expire together. State is confined to the run's loop.
final class TokenRefresher: @unchecked Sendable {
    private let run: LoadRun
    private let accounts: AccountFactory
    /// The current refresh token of each socket, by socket index.
    private var refreshTokens: [Int: String]
    /// Sockets waiting for a refresh, in the order their warnings came.
    private var queue: [ClientSocket] = []
    private var workers = 0
    private let maxWorkers = 8
    /// Refreshes done, and failures by reason (reported with the run's events and errors).
    private(set) var refreshed = 0

    /// - Parameter refreshTokens: the refresh token of each socket, by socket index.
    init(run: LoadRun, accounts: AccountFactory, refreshTokens: [Int: String]) {
        self.run = run
        self.accounts = accounts
        self.refreshTokens = refreshTokens
    }

    /// Adds a socket opened later (e.g. the `mixed` agent). Call on the loop.
    func track(_ index: Int, refreshToken: String) { refreshTokens[index] = refreshToken }

    /// The socket was told its token expires soon. Call on the loop.
    func expiring(_ socket: ClientSocket) {
        guard refreshTokens[socket.index] != nil else { return }
        queue.append(socket)
        while workers < maxWorkers, workers < queue.count {
            workers += 1
            Task { await self.work() }
        }
    }

    /// One keep-alive HTTP connection refreshing queued sockets until none is left.
    private func work() async {
        var link: HTTPLink?
        defer { link?.close() }
        while let (socket, refresh) = try? await run.onLoop({ self.next() }) {
            do {
                if link == nil { link = try await HTTPLink.open(host: accounts.host, port: accounts.port, on: accounts.eventLoop) }
                guard let link else { break }
                let (status, body) = try await link.post(path: "/auth/refresh", json: #"{"refreshToken":"\#(refresh)"}"#)
                guard status == 200, let pair = Credentials(body) else { throw ClientError.refused(status: status, body: String(buffer: body)) }
                _ = try await run.onLoop { self.authenticate(socket, with: pair) }.get()
            } catch {
                link?.close()
                link = nil
                try? await run.onLoop { self.run.errors["token_refresh", default: 0] += 1 }
            }
        }
    }

    /// The next socket to refresh; `nil` retires the calling worker (in the same step on the
    /// loop, so a warning queued meanwhile always finds a worker or starts one).
    private func next() -> (ClientSocket, String)? {
        while !queue.isEmpty {
            let socket = queue.removeFirst()
            if !socket.isClosed, let refresh = refreshTokens[socket.index] { return (socket, refresh) }
        }
        workers -= 1
        return nil
    }

    /// Stores the rotated refresh token and sends `hub.auth` with the new access token.
    private func authenticate(_ socket: ClientSocket, with pair: Credentials) -> EventLoopFuture<Void> {
        refreshTokens[socket.index] = pair.refresh
        return run.command(socket, type: "hub.auth", data: #"{"accessToken":"\#(pair.access)"}"#).map { reply in
            if reply.ok { self.refreshed += 1 } else { self.run.errors["hub.auth:\(reply.code ?? "?")", default: 0] += 1 }
        }
    }
}
