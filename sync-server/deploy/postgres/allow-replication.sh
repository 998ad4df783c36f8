#!/bin/bash
# Lets the replica connect for streaming replication (compose.yaml; runs once, at initdb).
set -e
echo "host replication duet all scram-sha-256" >> "$PGDATA/pg_hba.conf"
