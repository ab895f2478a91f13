import NIOCore
import Synchronization

/// One instance of a per-thread helper for each event loop, made on first use.
///
/// It exists for state that is cheaper shared by every connection of a loop than owned by
/// each (a write round, an inflate stream): the instance is used only on its own loop, so it
/// needs no lock of its own. Event loops live as long as the process, and so do the instances.
final class PerEventLoop<Value: AnyObject & Sendable>: Sendable {
    private let instances = Mutex<[ObjectIdentifier: Value]>([:])
    private let make: @Sendable (any EventLoop) -> Value

    init(_ make: @escaping @Sendable (any EventLoop) -> Value) {
        self.make = make
    }

    /// The instance of `eventLoop`.
    func callAsFunction(_ eventLoop: any EventLoop) -> Value {
        instances.withLock { instances in
            let key = ObjectIdentifier(eventLoop as AnyObject)
            if let existing = instances[key] { return existing }
            let made = make(eventLoop)
            instances[key] = made
            return made
        }
    }
}
