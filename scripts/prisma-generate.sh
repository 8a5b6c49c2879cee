#!/bin/sh
# Generates Prisma Client for both databases from the one data model (prisma/schema.prisma, and
# its PostgreSQL copy written by `npm run db:schema`). prisma.config.ts picks the schema file and
# the driver adapter from DATABASE_URL, so each run names a database of its kind; generating
# connects to neither.
set -e
DATABASE_URL="file:./data/tidecast.db" prisma generate
DATABASE_URL="postgresql://localhost/tidecast" prisma generate
