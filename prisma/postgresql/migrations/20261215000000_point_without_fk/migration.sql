-- DropForeignKey
ALTER TABLE "Point" DROP CONSTRAINT "Point_seriesId_fkey";

