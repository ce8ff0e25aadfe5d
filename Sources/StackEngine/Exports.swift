// File helpers are part of this module's API (stack files, config files).
@_exported import POSIXFiles
