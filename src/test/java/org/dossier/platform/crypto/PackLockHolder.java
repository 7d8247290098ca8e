package org.dossier.platform.crypto;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Another process holding a pack's lock file for a while, as another node of the store would (KeyPacksTest). */
public final class PackLockHolder {

    private PackLockHolder() {
    }

    public static void main(String[] args) throws Exception {
        try (FileChannel lockFile = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(Long.parseLong(args[1]));
        }
    }
}
