extension StringProtocol {
    /// The text without leading and trailing whitespace (FoundationEssentials-free; used by
    /// every parser of the project).
    public func trimmingWhitespace() -> String {
        var text = self[...]
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return String(text)
    }
}
