import ArgumentParser

/// How a command prints its result.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    /// Lines for people.
    case text
    /// One JSON object, a stable contract for scripts.
    case json

    static let help = ArgumentHelp("Output format: text for people, json for scripts.")
}
