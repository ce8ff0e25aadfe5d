@_exported import FleetValues
