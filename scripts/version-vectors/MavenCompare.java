import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;

/**
 * Oracle for Maven versions: maven-artifact's ComparableVersion. Every string is a version.
 *
 * <p>java -cp maven-artifact.jar MavenCompare.java compare < "a<TAB>b" lines > -1, 0 or 1 per line
 */
public class MavenCompare {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] fields = line.split("\t", -1);
            int order = new ComparableVersion(fields[0]).compareTo(new ComparableVersion(fields[1]));
            out.append(Integer.signum(order)).append('\n');
        }
        System.out.print(out);
    }
}
