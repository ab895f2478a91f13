import Foundation
import HubKernel

/// `chat.send` on the SQLite default, stored in batches (``DatabaseBatcher``): the sends that
/// arrive while one batch is being stored go together in the next, run one after the other in
/// one transaction (issue #16). Each send used to take the database's lock, begin, commit and
/// write its pages to the WAL on its own; a batch does each once, so under load the hub spends
/// its time on the messages, not on their transactions. A send that arrives alone runs alone.
///
/// Pipelining is kept: the batch's commit is a ``SharedCommit`` that each sender hands to its
/// own command, whose reply then waits for the flush while the connection's next command runs,
/// and the batch's events go out, in `seq` order, before the first of those replies.
///
/// Each send is judged on its own: a room that does not exist or an author who has not joined
/// stops that message only (the check runs before it writes anything). A batch that fails as
/// a whole (a `clientMsgId` that raced in on another connection) is rolled back and every send
/// is stored again on its own, so each caller gets the answer its send alone would have got.
enum SQLiteSendBatch {
    /// One `chat.send` waiting for its batch (its `seq` still to be assigned).
    struct Pending: Sendable {
        var message: MessageView
        var clientMsgID: String?
        var author: Identity
        var events: EventPublisher<ChatModule>
    }

    /// A send's answer from its batch.
    enum Outcome: Sendable {
        /// Stored with `seq`, committed (not yet flushed) with the rest of the batch; `json` is
        /// its `chat.message` payload as encoded.
        case stored(seq: Int64, json: Data, commit: SharedCommit)
        /// Not stored: the author may not write to the room (`not_found`, `forbidden`).
        case refused(HubError)
        /// The batch failed as a whole: store this send on its own.
        case alone
    }

    /// Stores `sends` in one transaction, in order, and publishes each stored message's
    /// `chat.message` in it (delivered once the commit is adopted; ``SharedCommit``).
    /// - Throws: only when a batch of one fails (a larger batch answers ``Outcome/alone``).
    static func store(_ sends: [Pending], on database: Database) async throws -> [Outcome] {
        do {
            let (results, commit) = try await database.sharedTransaction { transaction in
                var results: [Result<(seq: Int64, json: Data), HubError>] = []
                results.reserveCapacity(sends.count)
                for send in sends {
                    let room = send.message.room
                    let access = try await ChatStore.access(room, for: send.author.userID, on: transaction)
                    do {
                        _ = try ChatStore.joined(access, room: room, by: send.author)
                    } catch let refusal as HubError {
                        results.append(.failure(refusal))
                        continue
                    }
                    var message = send.message
                    message.seq = try await ChatStore.storeJoined(message, clientMsgID: send.clientMsgID, on: transaction)
                    let json = try await send.events.publish(MessageSent(message: message), on: ChatTopics.room(room), in: transaction)
                    results.append(.success((message.seq, json)))
                }
                return results
            }
            return results.map { result in
                switch result {
                case .success(let stored): .stored(seq: stored.seq, json: stored.json, commit: commit)
                case .failure(let refusal): .refused(refusal)
                }
            }
        } catch where sends.count > 1 {
            return Array(repeating: .alone, count: sends.count)
        }
    }
}
