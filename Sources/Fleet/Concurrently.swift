/// `body` for each item, `width` at a time, each outcome in the items' order: one item's failure
/// is its own (`.failure`), the others carry on. Cancellation stops starting new ones.
func concurrently<Item: Sendable, Value: Sendable>(_ items: [Item], width: Int = 8,
                                                   _ body: @escaping @Sendable (Item) async throws -> Value) async -> [Result<Value, any Error>] {
    var results = [Result<Value, any Error>](repeating: .failure(CancellationError()), count: items.count)
    await withTaskGroup(of: (Int, Result<Value, any Error>).self) { group in
        var next = 0
        func start() {
            guard next < items.count, !Task.isCancelled else { return }
            let index = next, item = items[index]
            next += 1
            group.addTask {
                do { return (index, .success(try await body(item))) } catch { return (index, .failure(error)) }
            }
        }
        for _ in 0..<max(1, width) { start() }
        while let (index, result) = await group.next() {
            results[index] = result
            start()
        }
    }
    return results
}
