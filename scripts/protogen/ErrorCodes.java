// scripts/protogen/ErrorCodes.java — prints every error code of the kafka-clients jar
// on the class path as "code NAME retriable" (retriable: 1 when its exception is a
// RetriableException), for scripts/protogen/check_errors.py. Run as a single-file
// program: java -cp kafka-clients.jar scripts/protogen/ErrorCodes.java
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.protocol.Errors;

public class ErrorCodes {
    public static void main(String[] args) {
        for (Errors e : Errors.values()) {
            boolean retriable = e.exception() instanceof RetriableException;
            System.out.println(e.code() + " " + e.name() + " " + (retriable ? 1 : 0));
        }
    }
}
