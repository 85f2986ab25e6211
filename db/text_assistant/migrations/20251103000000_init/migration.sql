-- CreateTable
CREATE TABLE "Download" (
    "id" TEXT NOT NULL,
    "os" TEXT NOT NULL,
    "timestamp" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "userAgent" TEXT,
    "ipHash" TEXT,

    CONSTRAINT "Download_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Feedback" (
    "id" TEXT NOT NULL,
    "message" VARCHAR(1000) NOT NULL,
    "email" TEXT,
    "timestamp" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Feedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Diagnostic" (
    "id" TEXT NOT NULL,
    "filePath" TEXT NOT NULL,
    "fileSize" INTEGER NOT NULL,
    "timestamp" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Diagnostic_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AppVersion" (
    "id" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "releaseDate" TIMESTAMP(3) NOT NULL,
    "downloadUrl" TEXT NOT NULL,
    "changelog" TEXT NOT NULL,
    "isLatest" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "AppVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Download_os_idx" ON "Download"("os");

-- CreateIndex
CREATE INDEX "Download_timestamp_idx" ON "Download"("timestamp");

-- CreateIndex
CREATE INDEX "Feedback_timestamp_idx" ON "Feedback"("timestamp");

-- CreateIndex
CREATE INDEX "Diagnostic_timestamp_idx" ON "Diagnostic"("timestamp");

-- CreateIndex
CREATE INDEX "AppVersion_isLatest_idx" ON "AppVersion"("isLatest");

-- CreateIndex
CREATE UNIQUE INDEX "AppVersion_version_key" ON "AppVersion"("version");
