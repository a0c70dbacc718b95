// Checks, on the JVM and with the JDK alone (`java RulesCheck.java <android/app/src/main>`),
// the rules of the Android app that aapt and a phone would otherwise be the first to see:
//  - the manifest names RantauApplication (TLS verifier set up, leftover captures deleted),
//    android:fullBackupContent and android:dataExtractionRules, and those files exist;
//  - both rule files exclude the profiles folder and the wrapped keys' preferences (names
//    read from RantauApp.kt and ProfileKey.kt, so a rename cannot slip past), for cloud
//    backup and for device transfer;
//  - the camera may write only into no_backup (capture_paths.xml);
//  - the root composable puts FLAG_SECURE on the screens with personal data;
//  - the screens hold at 200 % font scale: every Page scrolls (a list's in a ListPage,
//    whose LazyColumn scrolls), nothing else scrolls inside a Page, and no text is held
//    to a fixed height, a fixed font size or one line;
//  - TalkBack: an error text is an ErrorText (an announced live region), and every Icon
//    and Image says what it shows (a contentDescription that is not null).
// Prints each failure and exits 1 if there is any.
import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

public class RulesCheck {
    static final String ANDROID = "http://schemas.android.com/apk/res/android";
    static final List<String> failures = new ArrayList<>();

    static Document xml(File f) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        return dbf.newDocumentBuilder().parse(f);
    }

    static String text(File f) throws Exception {
        return new String(Files.readAllBytes(f.toPath()), "UTF-8");
    }

    static String find(String text, String regex, String what) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            failures.add("cannot find " + what);
            return null;
        }
        return m.group(1);
    }

    /** True when [parent] has an <exclude domain=... path=...> (a trailing slash is optional). */
    static boolean excludes(Element parent, String domain, String path) {
        NodeList ex = parent.getElementsByTagName("exclude");
        for (int i = 0; i < ex.getLength(); i++) {
            Element e = (Element) ex.item(i);
            String p = e.getAttribute("path").replaceAll("/+$", "");
            if (e.getAttribute("domain").equals(domain) && p.equals(path.replaceAll("/+$", ""))) return true;
        }
        return false;
    }

    static void requireExclusions(Element section, String where, String profiles, String keysPrefs) {
        if (!excludes(section, "file", profiles))
            failures.add(where + ": no <exclude domain=\"file\" path=\"" + profiles + "/\">");
        if (!excludes(section, "sharedpref", keysPrefs + ".xml"))
            failures.add(where + ": no <exclude domain=\"sharedpref\" path=\"" + keysPrefs + ".xml\">");
    }

    /** Index of the bracket closing the one at [open] ('(' or '{'), or -1. */
    static int closing(String text, int open) {
        char o = text.charAt(open), c = o == '(' ? ')' : '}';
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            if (text.charAt(i) == o) depth++;
            else if (text.charAt(i) == c && --depth == 0) return i;
        }
        return -1;
    }

    /** The Kotlin files of the screens in [ui], sorted; a failure when there are none. */
    static File[] screens(File ui) {
        File[] files = ui.listFiles((d, n) -> n.endsWith(".kt"));
        if (files == null || files.length == 0) {
            failures.add("no screens in " + ui);
            return new File[0];
        }
        java.util.Arrays.sort(files);
        return files;
    }

    /**
     * At 200 % font scale text grows and the screen does not. Each `Page { … }` scrolls
     * (Common.kt), so its block may hold no LazyColumn or verticalScroll of its own (a
     * vertical scroll inside another is measured with an infinite height and throws);
     * each `ListPage { … }` holds the LazyColumn that scrolls it. No text may be cut by a
     * fixed height (`.height(N.dp)`, `.size(N.dp)`; `heightIn(min = …)` sizes a touch
     * target; a Spacer may be fixed), a fixed `fontSize` or `maxLines = 1`.
     * Returns the number of pages checked.
     */
    static int checkFontScale(File ui) throws Exception {
        int pages = 0;
        File[] files = screens(ui);
        Pattern call = Pattern.compile("(?<!fun )\\b(Page|ListPage)\\(");
        Pattern fixed = Pattern.compile("\\.(height|size|requiredHeight|requiredSize)\\(\\s*[0-9]+\\.dp\\s*\\)");
        Pattern cut = Pattern.compile("fontSize\\s*=|maxLines\\s*=\\s*1\\b");
        if (!text(new File(ui, "Common.kt")).contains("verticalScroll(rememberScrollState())"))
            failures.add("ui/Common.kt: Page does not scroll");
        for (File f : files) {
            String t = text(f);
            Matcher m = call.matcher(t);
            while (m.find()) {
                int args = closing(t, m.end() - 1);
                int open = args < 0 ? -1 : t.indexOf('{', args);
                int close = open < 0 ? -1 : closing(t, open);
                if (close < 0 || !t.substring(args + 1, open).isBlank()) {
                    failures.add(f.getName() + ": cannot read the block of the " + m.group(1) + " at offset " + m.start());
                    continue;
                }
                pages++;
                String block = t.substring(open, close);
                boolean list = block.contains("LazyColumn");
                if (m.group(1).equals("Page") && (list || block.contains("verticalScroll")))
                    failures.add(f.getName() + ": a Page holds a LazyColumn or verticalScroll (it scrolls already; a list goes in a ListPage)");
                if (m.group(1).equals("ListPage") && !list)
                    failures.add(f.getName() + ": a ListPage without a LazyColumn does not scroll (use Page)");
            }
            String[] lines = t.split("\n");
            for (int i = 0; i < lines.length; i++) {
                if (fixed.matcher(lines[i]).find() && !lines[i].contains("Spacer("))
                    failures.add(f.getName() + ":" + (i + 1) + ": a fixed size would cut text at a large font scale (heightIn(min = …))");
                if (cut.matcher(lines[i]).find())
                    failures.add(f.getName() + ":" + (i + 1) + ": a fixed font size or one line cuts text at a large font scale");
            }
        }
        return pages;
    }

    /**
     * TalkBack hears what a sighted worker sees: a text in the error colour is an
     * ErrorText (Common.kt: an assertive live region), and each Icon or Image has a
     * contentDescription that is not null. Returns the number of icons and images.
     */
    static int checkTalkBack(File ui) throws Exception {
        int described = 0;
        File[] files = screens(ui);
        Pattern call = Pattern.compile("(?<![A-Za-z.])(Icon|Image)\\(");
        for (File f : files) {
            String t = text(f);
            if (!f.getName().equals("Common.kt")) {
                String[] lines = t.split("\n");
                for (int i = 0; i < lines.length; i++) {
                    if (lines[i].contains("color = MaterialTheme.colorScheme.error)"))
                        failures.add(f.getName() + ":" + (i + 1) + ": an error text that TalkBack does not announce (use ErrorText)");
                }
            }
            Matcher m = call.matcher(t);
            while (m.find()) {
                int close = closing(t, m.end() - 1);
                String args = close < 0 ? "" : t.substring(m.end(), close);
                if (!args.contains("contentDescription") || args.matches("(?s).*contentDescription\\s*=\\s*null.*"))
                    failures.add(f.getName() + ": an " + m.group(1) + " without a description for TalkBack");
                else described++;
            }
        }
        return described;
    }

    public static void main(String[] args) throws Exception {
        File main = new File(args[0]);
        File kotlin = new File(main, "kotlin/id/rantau/app");
        File res = new File(main, "res");
        String profiles = find(text(new File(kotlin, "ui/RantauApp.kt")),
            "File\\(context\\.filesDir, \"([^\"]+)\"\\)", "the profiles folder in ui/RantauApp.kt");
        String keysPrefs = find(text(new File(kotlin, "ProfileKey.kt")),
            "PREFS = \"([^\"]+)\"", "the key preferences' name in ProfileKey.kt");

        Element app = (Element) xml(new File(main, "AndroidManifest.xml")).getElementsByTagName("application").item(0);
        if (!".RantauApplication".equals(app.getAttributeNS(ANDROID, "name")))
            failures.add("manifest: <application android:name=\".RantauApplication\"> is missing");
        if (!new File(kotlin, "RantauApplication.kt").isFile())
            failures.add("RantauApplication.kt is missing");
        String dataRules = app.getAttributeNS(ANDROID, "dataExtractionRules");
        String fullBackup = app.getAttributeNS(ANDROID, "fullBackupContent");
        if (profiles != null && keysPrefs != null) {
            if (!dataRules.startsWith("@xml/")) {
                failures.add("manifest: android:dataExtractionRules=\"@xml/…\" is missing");
            } else {
                File f = new File(res, "xml/" + dataRules.substring(5) + ".xml");
                if (!f.isFile()) {
                    failures.add("missing " + f);
                } else {
                    Element root = xml(f).getDocumentElement();
                    for (String section : new String[] {"cloud-backup", "device-transfer"}) {
                        NodeList s = root.getElementsByTagName(section);
                        if (s.getLength() == 0) failures.add(f.getName() + ": no <" + section + ">");
                        else requireExclusions((Element) s.item(0), f.getName() + " <" + section + ">", profiles, keysPrefs);
                    }
                }
            }
            if (!fullBackup.startsWith("@xml/")) {
                failures.add("manifest: android:fullBackupContent=\"@xml/…\" is missing");
            } else {
                File f = new File(res, "xml/" + fullBackup.substring(5) + ".xml");
                if (!f.isFile()) failures.add("missing " + f);
                else requireExclusions(xml(f).getDocumentElement(), f.getName(), profiles, keysPrefs);
            }
        }

        // The camera's folder: only no_backup, which no backup or transfer copies.
        NodeList paths = xml(new File(res, "xml/capture_paths.xml")).getDocumentElement().getChildNodes();
        for (int i = 0; i < paths.getLength(); i++) {
            if (!(paths.item(i) instanceof Element)) continue;
            Element p = (Element) paths.item(i);
            boolean noBackup = p.getTagName().equals("files-path") && p.getAttribute("path").startsWith("../no_backup/");
            if (!noBackup) failures.add("capture_paths.xml: <" + p.getTagName() + " path=\"" + p.getAttribute("path") + "\"> is outside no_backup");
        }
        if (!text(new File(kotlin, "Photos.kt")).contains("noBackupFilesDir"))
            failures.add("Photos.kt: captures are not in noBackupFilesDir");

        // FLAG_SECURE: set at the root for the screens that show personal data.
        String rootUi = text(new File(kotlin, "ui/RantauApp.kt"));
        if (!rootUi.contains("SecureWhileShown(secure = stack.last().showsPersonalData)"))
            failures.add("ui/RantauApp.kt: the shown screen is not wrapped in SecureWhileShown");
        String secureLine = find(rootUi, "\n\\s*([^\n]*)-> true", "the screens with personal data in ui/RantauApp.kt");
        if (secureLine != null) {
            for (String screen : new String[] {"Screen.Home", "Screen.Form", "Screen.Outbox", "Screen.Card", "Screen.Consultations"}) {
                if (!secureLine.contains(screen)) failures.add("ui/RantauApp.kt: " + screen + " is not under FLAG_SECURE");
            }
        }
        if (!text(new File(kotlin, "SecureWindow.kt")).contains("FLAG_SECURE"))
            failures.add("SecureWindow.kt does not set FLAG_SECURE");

        int screens = checkFontScale(new File(kotlin, "ui"));
        int described = checkTalkBack(new File(kotlin, "ui"));

        for (String f : failures) System.err.println("app rules: " + f);
        if (!failures.isEmpty()) System.exit(1);
        System.out.println("app rules: backups and transfers exclude " + profiles + "/ and " + keysPrefs
            + ".xml; captures in no_backup; FLAG_SECURE on the personal screens; "
            + screens + " pages scroll at 200 % font scale; errors announced, "
            + described + " icons and images described");
    }
}
