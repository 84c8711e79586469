#!/bin/sh
# Written by FluxDesk (same layout as the official multitoolbox install).
exec /usr/local/bin/fluxd
