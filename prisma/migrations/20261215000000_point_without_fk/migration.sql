-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Point" (
    "seriesId" INTEGER NOT NULL,
    "ts" BIGINT NOT NULL,
    "value" REAL,

    PRIMARY KEY ("seriesId", "ts")
);
INSERT INTO "new_Point" ("seriesId", "ts", "value") SELECT "seriesId", "ts", "value" FROM "Point";
DROP TABLE "Point";
ALTER TABLE "new_Point" RENAME TO "Point";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

