// JSON values are part of this module's API (inputs and outputs of every operation).
@_exported import JSON
